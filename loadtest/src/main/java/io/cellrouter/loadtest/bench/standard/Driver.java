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

    /** One measured run: where, how many customers to spread requests over, how long. */
    record Run(URI target, String targetName, int customers, Duration warmup, Duration duration, Path workDir) {}

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
