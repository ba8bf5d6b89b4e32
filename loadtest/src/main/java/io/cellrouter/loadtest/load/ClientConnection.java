package io.cellrouter.loadtest.load;

import java.net.URI;

/**
 * One client connection (gRPC: one channel) of a {@link Dispatcher}. Every method runs on the
 * dispatcher's event loop; implementations report back through {@link Dispatcher#onResponse},
 * {@link Dispatcher#onError}, {@link Dispatcher#onUp} and {@link Dispatcher#onDown}, on that loop.
 */
abstract class ClientConnection {

    protected final Dispatcher dispatcher;
    protected final URI target;

    /** True while this connection sits in the ready queue of the dispatcher's {@link ConnectionSet}. */
    boolean inReadyQueue;

    /** True when the last connection attempt failed (and no attempt has succeeded since). */
    boolean lastConnectFailed;

    /** True while the dispatcher's {@link ConnectionSet} holds unflushed writes of this connection. */
    boolean needsFlush;

    ClientConnection(Dispatcher dispatcher, URI target) {
        this.dispatcher = dispatcher;
        this.target = target;
    }

    /** Starts connecting; ends in {@link Dispatcher#onUp} or {@link Dispatcher#onDown}. */
    abstract void connect();

    /** Connected and able to take requests (maybe not right now: see {@link #hasCapacity()}). */
    abstract boolean isUp();

    /** Can take one more request now. */
    abstract boolean hasCapacity();

    /** Writes (without flushing) the request for {@code customer}, intended at {@code intendedNanos}. */
    abstract void send(long intendedNanos, int customer);

    abstract void flush();

    /** Fails, as timeouts, every request in flight that was intended before {@code deadlineNanos}. */
    abstract void expire(long deadlineNanos, long nowNanos);

    abstract int inFlight();

    /** Closes for good (end of run); requests still in flight are not reported. */
    abstract void close();
}
