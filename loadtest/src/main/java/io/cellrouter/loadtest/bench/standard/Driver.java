package io.cellrouter.loadtest.bench.standard;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A standard load client run as its own process: wrk, h2load or grpc-java's benchmark client. The
 * bench asks it whether its tool is installed, has it send one routed request to each target (the
 * target must answer it before it is loaded), then has it load the target.
 */
public interface Driver {

    /**
     * One measured run: where, how many customers to spread requests over, how long; {@code
     * warmedUp} runs between the warm-up and the measured run when the tool warms up in a run of
     * its own (wrk), and never when it warms up inside the measured run's process (h2load,
     * grpc-java's client).
     */
    record Run(
            URI target,
            String targetName,
            int customers,
            Duration warmup,
            Duration duration,
            Path workDir,
            WarmedUp warmedUp) {

        /** A run with nothing to do between warm-up and measurement. */
        public Run(URI target, String targetName, int customers, Duration warmup, Duration duration, Path workDir) {
            this(target, targetName, customers, warmup, duration, workDir, () -> {});
        }
    }

    /** What the bench does once the target is warm, before the measured run starts. */
    @FunctionalInterface
    interface WarmedUp {
        void run() throws DriverException, InterruptedException;
    }

    /** The tool's name (and version where it tells), for the table's header. */
    String tool();

    /** How the tool is run, for the table's header (its options, the routing header). */
    String description();

    /** Empty when the tool can run here; otherwise what is missing and how to install it. */
    Optional<String> missing();

    /** Sends one routed request to {@code target}; throws unless it was answered with success. */
    void probe(URI target, Path workDir) throws DriverException, InterruptedException;

    /** Warms the target up and measures it. */
    DriverResult run(Run run) throws DriverException, InterruptedException;
}
