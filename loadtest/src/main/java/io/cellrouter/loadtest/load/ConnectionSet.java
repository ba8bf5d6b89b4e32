package io.cellrouter.loadtest.load;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one {@link Dispatcher} and their bookkeeping: which are ready for a request (a
 * queue without duplicates), which hold unflushed writes (flushed together after a burst of sends),
 * and how many are up or failed their last attempt to connect.
 *
 * <p>Concurrency: {@link #add} before the dispatcher connects; everything else on its event loop.
 */
final class ConnectionSet {

    private final List<ClientConnection> all = new ArrayList<>();
    private final ArrayDeque<ClientConnection> ready = new ArrayDeque<>();
    private final List<ClientConnection> toFlush = new ArrayList<>();
    private int upCount;
    private int failedCount;

    void add(ClientConnection connection) {
        all.add(connection);
    }

    /** Every connection, in the order added. */
    List<ClientConnection> all() {
        return all;
    }

    int size() {
        return all.size();
    }

    /** {@code c} has connected. */
    void up(ClientConnection c) {
        upCount++;
        if (c.lastConnectFailed) {
            c.lastConnectFailed = false;
            failedCount--;
        }
    }

    /** {@code c} went down ({@code wasUp}) or its attempt to connect failed. */
    void down(ClientConnection c, boolean wasUp) {
        if (wasUp) {
            upCount--;
        } else if (!c.lastConnectFailed) {
            c.lastConnectFailed = true;
            failedCount++;
        }
    }

    /** None is connected and the last attempt of every one failed. */
    boolean allFailed() {
        return upCount == 0 && failedCount == all.size();
    }

    /** Queues {@code c} as ready unless it is queued already. */
    void makeReady(ClientConnection c) {
        if (!c.inReadyQueue) {
            c.inReadyQueue = true;
            ready.addLast(c);
        }
    }

    /** Queues {@code c} as ready if it is up and can take a request now. */
    void readyIfFree(ClientConnection c) {
        if (c.isUp() && c.hasCapacity()) {
            makeReady(c);
        }
    }

    /** The first queued connection that can take a request now (dropping those that cannot), or null. */
    ClientConnection nextReady() {
        ClientConnection c;
        while ((c = ready.pollFirst()) != null) {
            c.inReadyQueue = false;
            if (c.isUp() && c.hasCapacity()) {
                return c;
            }
        }
        return null;
    }

    /** {@code c} has written without flushing: {@link #flushAll} will flush it. */
    void written(ClientConnection c) {
        if (!c.needsFlush) {
            c.needsFlush = true;
            toFlush.add(c);
        }
    }

    /** Flushes every connection written since the last call. */
    void flushAll() {
        for (int i = 0; i < toFlush.size(); i++) {
            ClientConnection c = toFlush.get(i);
            c.needsFlush = false;
            c.flush();
        }
        toFlush.clear();
    }
}
