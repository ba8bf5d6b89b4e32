package io.cellrouter.router.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * This instance's live traffic per cell over the last seconds, for the admin API's {@code /stats}
 * and the console: requests, errors (5xx answers and aborted exchanges) and latency, per second.
 *
 * <pre>
 *  event loop 1 ── record() ──► its own Recorder: cell → 64 one-second slots (count, errors, latency buckets)
 *  event loop 2 ── record() ──► its own Recorder
 *                                   │
 *  admin thread ── read() ──────────┴──► merges every Recorder's last 60 complete seconds
 * </pre>
 *
 * <p>Concurrency: each thread that records has a {@link Recorder} of its own (a Netty
 * {@link FastThreadLocal}); only that thread writes it, so an update is a plain read and an ordered
 * store ({@code lazySet}), with no lock, no CAS and no allocation once the cell is known. The reader
 * checks each slot's second before and after reading it and skips a slot that was recycled
 * meanwhile (its writer reached the same slot 64 seconds later). Only complete seconds are read:
 * the figures lag by up to one second. Time is injected (epoch milliseconds).
 *
 * <p>Memory: about 29 KB per cell per event loop that forwarded to it (64 slots of 112 latency
 * buckets), made at the first request; cells are few.
 */
public final class LiveStats {

    /** The windows the admin API shows, in seconds. */
    public static final int SHORT_WINDOW = 10;

    public static final int LONG_WINDOW = 60;

    private static final int SLOTS = 64;

    private final LongSupplier millis;
    private final List<Recorder> recorders = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<Recorder> local = new FastThreadLocal<>() {
        @Override
        protected Recorder initialValue() {
            Recorder recorder = new Recorder();
            recorders.add(recorder);
            return recorder;
        }
    };

    public LiveStats(LongSupplier millis) {
        this.millis = millis;
    }

    /** One finished exchange with a cell; called on the thread that ran it. */
    public void record(String cell, int status, boolean aborted, long totalNanos) {
        local.get().record(cell, millis.getAsLong() / 1000, status >= 500 || aborted, totalNanos);
    }

    /** Figures of one window: requests and errors counted, their rates, latency percentiles. */
    public record Figures(long requests, long errors, double rps, double errorRatio, double p50Ms, double p99Ms) {}

    /**
     * One cell: the last {@value #SHORT_WINDOW} and {@value #LONG_WINDOW} complete seconds, and the
     * requests and errors of each of the last {@value #LONG_WINDOW} seconds, oldest first.
     */
    @SuppressWarnings("ArrayRecordComponent") // a read-only view for JSON, never compared or hashed
    public record CellTraffic(
            String cell, Figures shortWindow, Figures longWindow, long[] requestsPerSecond, long[] errorsPerSecond) {}

    /** Every cell that had traffic in the last {@value #LONG_WINDOW} seconds, by name. */
    public List<CellTraffic> read() {
        long now = millis.getAsLong() / 1000;
        Map<String, Merged> cells = new TreeMap<>();
        for (Recorder recorder : recorders) {
            recorder.cells.forEach((cell, window) -> window.addTo(cells.computeIfAbsent(cell, c -> new Merged()), now));
        }
        List<CellTraffic> traffic = new ArrayList<>(cells.size());
        cells.forEach((cell, merged) -> {
            if (merged.longTotal > 0) {
                traffic.add(merged.traffic(cell));
            }
        });
        return traffic;
    }

    /** The per-cell windows of one recording thread. */
    private static final class Recorder {
        final Map<String, CellWindow> cells = new ConcurrentHashMap<>();

        void record(String cell, long second, boolean error, long nanos) {
            CellWindow window = cells.get(cell);
            if (window == null) {
                window = cells.computeIfAbsent(cell, c -> new CellWindow());
            }
            window.record(second, error, nanos);
        }
    }

    /**
     * 64 one-second slots of one cell, written by one thread. A slot's tag is the epoch second it
     * counts; -1 while the writer clears it for a new second.
     */
    private static final class CellWindow {
        final AtomicLongArray seconds = new AtomicLongArray(SLOTS);
        final AtomicIntegerArray requests = new AtomicIntegerArray(SLOTS);
        final AtomicIntegerArray errors = new AtomicIntegerArray(SLOTS);
        final AtomicIntegerArray latency = new AtomicIntegerArray(SLOTS * LatencyBuckets.COUNT);

        CellWindow() {
            for (int i = 0; i < SLOTS; i++) {
                seconds.set(i, -1);
            }
        }

        void record(long second, boolean error, long nanos) {
            int slot = (int) (second & (SLOTS - 1));
            if (seconds.get(slot) != second) {
                seconds.set(slot, -1);
                requests.lazySet(slot, 0);
                errors.lazySet(slot, 0);
                int base = slot * LatencyBuckets.COUNT;
                for (int i = 0; i < LatencyBuckets.COUNT; i++) {
                    latency.lazySet(base + i, 0);
                }
                seconds.set(slot, second);
            }
            requests.lazySet(slot, requests.get(slot) + 1);
            if (error) {
                errors.lazySet(slot, errors.get(slot) + 1);
            }
            int bucket = slot * LatencyBuckets.COUNT + LatencyBuckets.of(nanos);
            latency.lazySet(bucket, latency.get(bucket) + 1);
        }

        /** Adds the complete seconds {@code now - 60 .. now - 1} to {@code merged}. */
        void addTo(Merged merged, long now) {
            int[] buckets = new int[LatencyBuckets.COUNT];
            for (int age = 1; age <= LONG_WINDOW; age++) {
                long second = now - age;
                int slot = (int) (second & (SLOTS - 1));
                if (seconds.get(slot) != second) {
                    continue;
                }
                int count = requests.get(slot);
                int failed = errors.get(slot);
                int base = slot * LatencyBuckets.COUNT;
                for (int i = 0; i < LatencyBuckets.COUNT; i++) {
                    buckets[i] = latency.get(base + i);
                }
                if (seconds.get(slot) != second) {
                    continue; // recycled while read
                }
                merged.add(LONG_WINDOW - age, age <= SHORT_WINDOW, count, failed, buckets);
            }
        }
    }

    /** One cell's seconds merged over every recorder, on the reading thread. */
    private static final class Merged {
        final long[] requests = new long[LONG_WINDOW];
        final long[] errors = new long[LONG_WINDOW];
        final long[] shortLatency = new long[LatencyBuckets.COUNT];
        final long[] longLatency = new long[LatencyBuckets.COUNT];
        long shortTotal;
        long shortErrors;
        long longTotal;
        long longErrors;

        void add(int index, boolean recent, int count, int failed, int[] buckets) {
            requests[index] += count;
            errors[index] += failed;
            longTotal += count;
            longErrors += failed;
            if (recent) {
                shortTotal += count;
                shortErrors += failed;
            }
            for (int i = 0; i < buckets.length; i++) {
                longLatency[i] += buckets[i];
                if (recent) {
                    shortLatency[i] += buckets[i];
                }
            }
        }

        CellTraffic traffic(String cell) {
            return new CellTraffic(
                    cell,
                    figures(shortTotal, shortErrors, shortLatency, SHORT_WINDOW),
                    figures(longTotal, longErrors, longLatency, LONG_WINDOW),
                    requests,
                    errors);
        }

        private static Figures figures(long total, long failed, long[] latency, int seconds) {
            // Latency counts may trail the request count by a sample recorded during the read.
            long sampled = 0;
            for (long count : latency) {
                sampled += count;
            }
            return new Figures(
                    total,
                    failed,
                    (double) total / seconds,
                    total == 0 ? 0 : (double) failed / total,
                    LatencyBuckets.quantileMillis(latency, sampled, 0.50),
                    LatencyBuckets.quantileMillis(latency, sampled, 0.99));
        }
    }
}
