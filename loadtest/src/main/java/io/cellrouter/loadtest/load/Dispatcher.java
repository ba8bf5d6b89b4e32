package io.cellrouter.loadtest.load;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The open-loop scheduler of one event loop and the connections it owns.
 *
 * <pre>
 *  timer (intended times t0 + i/rate) ──► PendingQueue ──► idle connection ──► server
 *        never waits for an answer           │   ▲                 │
 *                                            │   └── answer frees ─┘   latency = answer - intended
 *                                            └── older than timeout ──► "timeout"
 * </pre>
 *
 * <p>Requests are created at their intended times whatever the server does: a stalled server makes
 * the queue grow, and each queued request's wait counts in its latency (coordinated omission
 * corrected). Which requests this dispatcher owns, and when each is intended, is its {@link
 * OpenLoopSchedule}; which of its connections are ready is its {@link ConnectionSet}. In closed-loop
 * mode (for finding the maximum throughput) a connection sends its next request as soon as it is
 * free, and latency is plain service time.
 *
 * <p>Concurrency: everything here, including the connections' callbacks, runs on {@link #loop};
 * only {@link #connectAll}, {@link #start} and the futures are called from other threads.
 */
final class Dispatcher {

    private static final long SWEEP_MILLIS = 10;
    private static final long RECONNECT_DELAY_MILLIS = 100;
    private static final int MAX_QUEUE = 1 << 24;

    private final EventLoop loop;
    private final LoadPlan plan;
    private final Results results;
    private final CustomerDistribution.Picker picker;
    private final long timeoutNanos;
    private final OpenLoopSchedule schedule;
    private final ConnectionSet connections = new ConnectionSet();
    private final PendingQueue queue = new PendingQueue(1024, MAX_QUEUE);
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Runnable tick = this::tick;

    private long endNanos;
    private boolean running;
    private boolean schedulingDone;
    private boolean finished;
    private boolean draining;
    private boolean tickPending;
    private int inFlight;
    private int initialAttempts;
    private ScheduledFuture<?> sweep;
    private ScheduledFuture<?> hardStop;
    private volatile int queuedSnapshot;
    private volatile int inFlightSnapshot;

    Dispatcher(int index, int count, EventLoop loop, LoadPlan plan, Results results) {
        this.loop = loop;
        this.plan = plan;
        this.results = results;
        this.picker = plan.customers().newPicker(plan.seed() * 31 + index);
        this.timeoutNanos = plan.timeout().toNanos();
        this.schedule = new OpenLoopSchedule(index, count, plan);
    }

    EventLoop loop() {
        return loop;
    }

    LoadPlan plan() {
        return plan;
    }

    /** Before {@link #connectAll} only. */
    void add(ClientConnection connection) {
        connections.add(connection);
    }

    /** Connects every connection once; completes when each has either connected or failed. */
    CompletableFuture<Void> connectAll() {
        loop.execute(() -> {
            initialAttempts = connections.size();
            if (initialAttempts == 0) {
                connected.complete(null);
            }
            for (ClientConnection c : new ArrayList<>(connections.all())) {
                c.connect();
            }
        });
        return connected;
    }

    /** Starts sending at {@code start} ({@link System#nanoTime()}); {@link #done()} follows. */
    void start(long start) {
        loop.execute(() -> {
            schedule.start(start);
            endNanos = start + plan.warmup().toNanos() + plan.duration().toNanos();
            running = true;
            sweep = loop.scheduleAtFixedRate(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            long hardStopNanos = endNanos + timeoutNanos + TimeUnit.SECONDS.toNanos(2) - System.nanoTime();
            hardStop = loop.schedule(this::forceFinish, hardStopNanos, TimeUnit.NANOSECONDS);
            if (plan.closedLoop()) {
                loop.schedule(this::fill, Math.max(0, start - System.nanoTime()), TimeUnit.NANOSECONDS);
            } else if (schedule.hasNext()) {
                scheduleTick(schedule.nextIntended());
            } else {
                schedulingDone = true;
                checkDone();
            }
        });
    }

    /** Completes when every request of this dispatcher has finished (or been failed at the hard stop). */
    CompletableFuture<Void> done() {
        return done;
    }

    int queuedSnapshot() {
        return queuedSnapshot;
    }

    int inFlightSnapshot() {
        return inFlightSnapshot;
    }

    /** Closes every connection; after {@link #done()}. */
    void closeAll() {
        loop.execute(() -> {
            finished = true;
            for (ClientConnection c : connections.all()) {
                c.close();
            }
        });
    }

    // ---- callbacks of the connections (on the loop) ----

    void onUp(ClientConnection c) {
        connections.up(c);
        initialAttemptDone();
        connections.makeReady(c);
        sendWhatCan();
    }

    /** {@code wasUp}: the connection had connected (false: the attempt failed). */
    void onDown(ClientConnection c, boolean wasUp) {
        connections.down(c, wasUp);
        if (!wasUp) {
            initialAttemptDone();
        }
        if (running && !finished) {
            loop.schedule(
                    () -> {
                        if (!finished) {
                            c.connect();
                        }
                    },
                    wasUp ? 0 : RECONNECT_DELAY_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        if (running && !plan.closedLoop()) {
            drain(System.nanoTime());
        }
        checkDone();
    }

    void onResponse(ClientConnection c, long intendedNanos, int status) {
        results.response(intendedNanos, System.nanoTime(), status);
        completed(c);
    }

    void onError(ClientConnection c, long intendedNanos, String kind) {
        results.error(intendedNanos, System.nanoTime(), kind);
        completed(c);
    }

    /** A connection may take more requests than before (e.g. the peer raised its stream limit). */
    void onCapacity(ClientConnection c) {
        if (c.isUp() && c.hasCapacity()) {
            connections.makeReady(c);
            sendWhatCan();
        }
    }

    // ---- the schedule ----

    /** A connection freed up or came up: send what is due (open loop) or fill the free ones (closed loop). */
    private void sendWhatCan() {
        if (running && !finished) {
            if (plan.closedLoop()) {
                fill();
            } else {
                drain(System.nanoTime());
            }
        }
    }

    private void scheduleTick(long atNanos) {
        tickPending = true;
        loop.schedule(tick, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        tickPending = false;
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        while (schedule.hasNext()) {
            long t = schedule.nextIntended();
            if (t > now) {
                break;
            }
            if (!queue.offer(t, picker.next())) {
                results.error(t, now, "queue_full");
            }
            schedule.advance();
        }
        drain(now);
        if (schedule.hasNext()) {
            scheduleTick(schedule.nextIntended());
        } else {
            schedulingDone = true;
            checkDone();
        }
    }

    private void drain(long now) {
        if (draining || finished) {
            return;
        }
        draining = true;
        try {
            expireQueue(now);
            while (!queue.isEmpty()) {
                ClientConnection c = connections.nextReady();
                if (c == null) {
                    break;
                }
                long t = queue.peekIntended();
                int customer = queue.peekCustomer();
                queue.pop();
                send(c, t, customer);
            }
            if (!queue.isEmpty() && connections.allFailed()) {
                // Nothing is connected and every last attempt failed: fail fast rather than time out.
                while (!queue.isEmpty()) {
                    results.error(queue.peekIntended(), now, ErrorKind.CONNECT);
                    queue.pop();
                }
            }
            connections.flushAll();
        } finally {
            draining = false;
        }
        checkDone();
    }

    /** Closed loop: every free connection sends at once. */
    private void fill() {
        if (draining || finished) {
            return;
        }
        long now = System.nanoTime();
        if (now >= endNanos) {
            schedulingDone = true;
            checkDone();
            return;
        }
        draining = true;
        try {
            ClientConnection c;
            while ((c = connections.nextReady()) != null) {
                send(c, now, picker.next());
            }
            connections.flushAll();
        } finally {
            draining = false;
        }
    }

    private void send(ClientConnection c, long intendedNanos, int customer) {
        inFlight++;
        results.sent(intendedNanos);
        c.send(intendedNanos, customer);
        connections.written(c);
        connections.readyIfFree(c);
    }

    private void completed(ClientConnection c) {
        inFlight--;
        connections.readyIfFree(c);
        sendWhatCan();
        checkDone();
    }

    private void expireQueue(long now) {
        while (!queue.isEmpty() && now - queue.peekIntended() >= timeoutNanos) {
            results.error(queue.peekIntended(), now, ErrorKind.TIMEOUT);
            queue.pop();
        }
    }

    private void sweep() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        expireQueue(now);
        List<ClientConnection> all = connections.all();
        for (int i = 0; i < all.size(); i++) {
            all.get(i).expire(now - timeoutNanos, now);
        }
        if (plan.closedLoop() && now >= endNanos) {
            schedulingDone = true;
        }
        queuedSnapshot = queue.size();
        inFlightSnapshot = inFlight;
        if (!plan.closedLoop() && !tickPending && !schedulingDone) {
            scheduleTick(schedule.nextIntended());
        }
        checkDone();
    }

    private void checkDone() {
        if (running && !finished && schedulingDone && queue.isEmpty() && inFlight <= 0) {
            finish();
        }
    }

    private void forceFinish() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        while (!queue.isEmpty()) {
            results.error(queue.peekIntended(), now, ErrorKind.TIMEOUT);
            queue.pop();
        }
        for (ClientConnection c : connections.all()) {
            c.expire(Long.MAX_VALUE, now);
        }
        finish();
    }

    private void finish() {
        finished = true;
        queuedSnapshot = 0;
        inFlightSnapshot = 0;
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (hardStop != null) {
            hardStop.cancel(false);
        }
        done.complete(null);
    }

    private void initialAttemptDone() {
        if (initialAttempts > 0 && --initialAttempts == 0) {
            connected.complete(null);
        }
    }
}
