package io.cellrouter.loadtest.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Where every finished request lands. Latency is {@code completion - intended send time} in
 * nanoseconds, so time a request spent waiting for a busy connection (or for a stalled server) is
 * part of it: coordinated omission corrected.
 *
 * <p>A request belongs to the phase of its intended time: warm-up requests go to {@link #warmup},
 * requests intended inside the measured window to {@link #measured}; nothing else is counted.
 *
 * <p>Concurrency: written from every event loop (and grpc-java's threads); HdrHistogram's
 * {@link Recorder} is wait-free for writers, counters are {@link LongAdder}s. One reader thread (the
 * progress reporter) takes the interval histograms.
 */
public final class Results {

    /** Larger latencies are clamped (they are far past any sane timeout anyway). */
    public static final long HIGHEST_NANOS = 3_600_000_000_000L;

    private final Phase warmup = new Phase();
    private final Phase measured = new Phase();
    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureEndNanos = Long.MAX_VALUE;

    /** The measured window, in {@link System#nanoTime()} time: requests intended in [start, end). */
    public void window(long startNanos, long endNanos) {
        this.measureStartNanos = startNanos;
        this.measureEndNanos = endNanos;
    }

    public long measureStartNanos() {
        return measureStartNanos;
    }

    public long measureEndNanos() {
        return measureEndNanos;
    }

    /** A request was written to a connection. */
    public void sent(long intendedNanos) {
        Phase phase = phase(intendedNanos);
        if (phase != null) {
            phase.sent.increment();
        }
    }

    /** A complete response with {@code status} (HTTP status; 200 for a gRPC OK). */
    public void response(long intendedNanos, long nowNanos, int status) {
        Phase phase = phase(intendedNanos);
        if (phase == null) {
            return;
        }
        phase.latency.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, nowNanos - intendedNanos)));
        phase.responses.increment();
        phase.lastCompletion.accumulate(nowNanos);
        if (status >= 500) {
            phase.error(ErrorKind.STATUS_5XX);
        } else if (status >= 400) {
            phase.error(ErrorKind.STATUS_4XX);
        }
    }

    /** A request that got no (complete) response. */
    public void error(long intendedNanos, long nowNanos, String kind) {
        Phase phase = phase(intendedNanos);
        if (phase != null) {
            phase.error(kind);
            phase.lastCompletion.accumulate(nowNanos);
        }
    }

    public Phase warmup() {
        return warmup;
    }

    public Phase measured() {
        return measured;
    }

    private Phase phase(long intendedNanos) {
        if (intendedNanos < measureStartNanos) {
            return warmup;
        }
        return intendedNanos < measureEndNanos ? measured : null;
    }

    /** The counters of one phase. */
    public static final class Phase {
        private final Recorder latency = new Recorder(HIGHEST_NANOS, 3);
        private final LongAdder sent = new LongAdder();
        private final LongAdder responses = new LongAdder();
        private final LongAccumulator lastCompletion = new LongAccumulator(Math::max, Long.MIN_VALUE);
        private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

        Phase() {
            for (String kind : ErrorKind.FIXED) {
                errors.put(kind, new LongAdder());
            }
        }

        void error(String kind) {
            errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }

        /** The latency recorder (nanoseconds); take interval histograms from one thread only. */
        public Recorder latency() {
            return latency;
        }

        public long sent() {
            return sent.sum();
        }

        public long responses() {
            return responses.sum();
        }

        /** nanoTime of the last response or error, or {@link Long#MIN_VALUE}. */
        public long lastCompletionNanos() {
            return lastCompletion.get();
        }

        public long errorCount() {
            long total = 0;
            for (LongAdder adder : errors.values()) {
                total += adder.sum();
            }
            return total;
        }

        /** Errors by kind: the fixed kinds first (zeros included), then the others by name. */
        public Map<String, Long> errors() {
            Map<String, Long> out = new LinkedHashMap<>();
            for (String kind : ErrorKind.FIXED) {
                out.put(kind, errors.get(kind).sum());
            }
            errors.keySet().stream()
                    .filter(k -> !ErrorKind.FIXED.contains(k))
                    .sorted()
                    .forEach(k -> out.put(k, errors.get(k).sum()));
            return out;
        }
    }
}
