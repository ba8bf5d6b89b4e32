package io.cellrouter.loadtest.load;

import io.netty.channel.EventLoopGroup;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Runs one {@link LoadPlan}: builds the event loops, the {@link Dispatcher}s and their
 * connections, connects them, starts every dispatcher at the same instant, prints a progress line
 * each second, and returns the {@link RunResult}.
 *
 * <pre>
 *  run()
 *   ├─ event loops (--threads) ── Dispatcher d owns connections d, d+D, ... (targets round-robin)
 *   ├─ connect all (bounded), then start = now + 20 ms on every dispatcher
 *   ├─ reporter thread, every second: interval histogram ─► cumulative, histogram log, progress line
 *   └─ wait for every dispatcher (bounded: warm-up + duration + timeout + a few seconds)
 * </pre>
 *
 * <p>Everything is bounded in time: a run ends by itself even if the server never answers.
 */
public final class LoadGenerator {

    private final LoadPlan plan;
    private final Transport transport;

    public LoadGenerator(LoadPlan plan) {
        this(plan, Transport.detect());
    }

    public LoadGenerator(LoadPlan plan, Transport transport) {
        this.plan = plan;
        this.transport = transport;
    }

    /**
     * Runs the plan.
     *
     * @param progress where the progress line goes each second (stderr), or null for none
     * @param log where the interval histograms go (an HdrHistogram log), or null
     */
    public RunResult run(PrintStream progress, HistogramLogWriter log) throws InterruptedException {
        return run(progress, log, null);
    }

    /**
     * As {@link #run(PrintStream, HistogramLogWriter)}; {@code atMeasureStart} (may be null) runs
     * on the reporter thread when the measured window starts, e.g. to read a CPU counter.
     */
    public RunResult run(PrintStream progress, HistogramLogWriter log, Runnable atMeasureStart)
            throws InterruptedException {
        Results results = new Results();
        EventLoopGroup group = transport.newGroup(plan.threads(), "loadgen");
        List<Dispatcher> dispatchers = new ArrayList<>();
        ScheduledExecutorService reporterThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadgen-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int d = 0; d < plan.threads(); d++) {
                dispatchers.add(new Dispatcher(d, plan.threads(), group.next(), plan, results));
            }
            for (int i = 0; i < plan.connections(); i++) {
                Dispatcher d = dispatchers.get(i % dispatchers.size());
                URI target = plan.targets().get(i % plan.targets().size());
                d.add(newConnection(d, target));
            }
            await(
                    CompletableFuture.allOf(
                            dispatchers.stream().map(Dispatcher::connectAll).toArray(CompletableFuture[]::new)),
                    Http1Connection.connectTimeoutMillis(plan) + 2_000L);

            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            long measureStart = start + plan.warmup().toNanos();
            long measureEnd = measureStart + plan.duration().toNanos();
            results.window(measureStart, measureEnd);
            long startMillis = System.currentTimeMillis() + 20;
            Reporter reporter = new Reporter(results, dispatchers, progress, log, start, measureStart, startMillis);
            reporterThread.scheduleAtFixedRate(reporter::tick, 1, 1, TimeUnit.SECONDS);
            if (atMeasureStart != null) {
                reporterThread.schedule(atMeasureStart, measureStart - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            for (Dispatcher d : dispatchers) {
                d.start(start);
            }
            long bound = (measureEnd - System.nanoTime()) / 1_000_000
                    + plan.timeout().toMillis()
                    + 5_000;
            await(
                    CompletableFuture.allOf(
                            dispatchers.stream().map(Dispatcher::done).toArray(CompletableFuture[]::new)),
                    bound);
            reporterThread.shutdown();
            reporterThread.awaitTermination(5, TimeUnit.SECONDS);
            Histogram total = reporter.finish();

            Results.Phase measured = results.measured();
            long requests = measured.responses();
            long last = measured.lastCompletionNanos();
            double seconds =
                    Math.max(plan.duration().toNanos(), last == Long.MIN_VALUE ? 0 : last - measureStart) / 1e9;
            return new RunResult(
                    plan,
                    total,
                    requests,
                    measured.sent(),
                    measured.errors(),
                    requests / seconds,
                    transport.name(),
                    results.warmup().responses());
        } finally {
            reporterThread.shutdownNow();
            for (Dispatcher d : dispatchers) {
                d.closeAll();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private ClientConnection newConnection(Dispatcher d, URI target) {
        return switch (plan.protocol()) {
            case HTTP1 -> new Http1Connection(d, target, transport);
            case H2C -> new H2cConnection(d, target, transport);
            case GRPC -> new GrpcConnection(d, target);
            default -> throw new IllegalStateException("unknown protocol " + plan.protocol());
        };
    }

    private static void await(CompletableFuture<?> future, long millis) throws InterruptedException {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Bounded wait: go on with what finished; the stragglers are counted as they are.
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Owns the cumulative histogram; runs on the reporter thread (and at the end on the caller's). */
    private static final class Reporter {
        private final Results results;
        private final List<Dispatcher> dispatchers;
        private final PrintStream out;
        private final HistogramLogWriter log;
        private final long start;
        private final long measureStart;
        private final Histogram cumulative = new Histogram(Results.HIGHEST_NANOS, 3);
        private final Histogram warmupCumulative = new Histogram(Results.HIGHEST_NANOS, 3);
        private Histogram interval;
        private Histogram warmupInterval;
        private long lastCount;
        private long lastErrors;
        private long lastNanos;

        Reporter(
                Results results,
                List<Dispatcher> dispatchers,
                PrintStream out,
                HistogramLogWriter log,
                long start,
                long measureStart,
                long startMillis) {
            this.results = results;
            this.dispatchers = dispatchers;
            this.out = out;
            this.log = log;
            this.start = start;
            this.measureStart = measureStart;
            this.lastNanos = start;
            if (log != null) {
                log.setBaseTime(startMillis);
                log.outputComment("cell-loadtest: latency in nanoseconds from the intended send time");
                log.outputLogFormatVersion();
                log.outputStartTime(startMillis);
                log.outputLegend();
            }
        }

        synchronized void tick() {
            long now = System.nanoTime();
            warmupInterval = results.warmup().latency().getIntervalHistogram(warmupInterval);
            warmupCumulative.add(warmupInterval);
            interval = results.measured().latency().getIntervalHistogram(interval);
            cumulative.add(interval);
            if (log != null && interval.getTotalCount() > 0) {
                log.outputIntervalHistogram(interval);
            }
            boolean warming = now < measureStart;
            Results.Phase phase = warming ? results.warmup() : results.measured();
            Histogram so = warming ? warmupCumulative : cumulative;
            long count = results.warmup().responses() + results.measured().responses();
            long errors = results.warmup().errorCount() + results.measured().errorCount();
            double seconds = (now - lastNanos) / 1e9;
            if (out != null) {
                int queued = 0;
                int inFlight = 0;
                for (Dispatcher d : dispatchers) {
                    queued += d.queuedSnapshot();
                    inFlight += d.inFlightSnapshot();
                }
                out.println(String.format(
                        Locale.ROOT,
                        "[%s %4ds] %9.1f req/s  errors %d (%d new)  p99 so far %s  in flight %d  queued %d",
                        warming ? "warmup " : "measure",
                        Math.max(0, (now - start + 500_000_000L) / 1_000_000_000L),
                        (count - lastCount) / seconds,
                        phase.errorCount(),
                        errors - lastErrors,
                        so.getTotalCount() == 0 ? "-" : micros(so.getValueAtPercentile(99)),
                        inFlight,
                        queued));
            }
            lastCount = count;
            lastErrors = errors;
            lastNanos = now;
        }

        synchronized Histogram finish() {
            interval = results.measured().latency().getIntervalHistogram(interval);
            cumulative.add(interval);
            if (log != null && interval.getTotalCount() > 0) {
                log.outputIntervalHistogram(interval);
            }
            return cumulative.copy();
        }

        private static String micros(long nanos) {
            return Math.round(nanos / 1000.0) + " us";
        }
    }
}
