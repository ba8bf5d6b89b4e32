package io.cellrouter.loadtest.bench.standard;

import io.cellrouter.loadtest.cli.Main;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * gRPC with grpc-java's own benchmark client ({@code io.grpc.benchmarks.qps.AsyncClient}, bundled
 * in this jar): 2 channels × 10 outstanding calls, 128-byte request and response payloads, unary
 * calls or streaming ping-pong, against grpc-java's {@code AsyncServer} as the cell. It runs in a
 * JVM of its own ({@code cell-loadtest grpc-bench-client}), which adds {@code x-customer-id:
 * c<random>} metadata to every call (every stream, for streaming).
 */
public final class GrpcBenchDriver implements Driver {

    static final int CHANNELS = 2;
    static final int OUTSTANDING = 10;
    static final int PAYLOAD_BYTES = 128;
    static final List<String> JVM_OPTIONS = List.of("-Xms512m", "-Xmx512m");

    private final boolean streaming;
    private final String java;
    private final String classpath;

    GrpcBenchDriver(boolean streaming, String java, String classpath) {
        this.streaming = streaming;
        this.java = java;
        this.classpath = classpath;
    }

    @Override
    public String tool() {
        return "grpc-java benchmark client " + benchmarkVersion();
    }

    @Override
    public String description() {
        return "AsyncClient " + CHANNELS + " channels x " + OUTSTANDING + " outstanding, " + PAYLOAD_BYTES + " B, "
                + (streaming ? "streaming ping-pong" : "unary") + ", " + StandardBench.CUSTOMER_HEADER
                + " metadata c<random> per " + (streaming ? "stream" : "call");
    }

    @Override
    public Optional<String> missing() {
        return Optional.empty();
    }

    @Override
    public void probe(URI target, Path workDir) throws DriverException {
        GrpcProbe.unaryCall(target, StandardBench.CUSTOMER_HEADER, "c0", Duration.ofSeconds(5));
    }

    @Override
    public DriverResult run(Run run) throws DriverException, InterruptedException {
        ToolProcess.Output out = ToolProcess.run(
                "grpc-client-" + run.targetName(),
                command(run.target(), run.customers(), run.warmup(), run.duration()),
                run.workDir(),
                run.warmup().plus(run.duration()).plusSeconds(60));
        try {
            DriverResult r = GrpcBenchOutputParser.parse(out.text());
            if (out.exitCode() != 0) {
                throw new DriverException("the grpc benchmark client exited with " + out.exitCode());
            }
            return r;
        } catch (DriverException e) {
            throw new DriverException(e.getMessage() + "; its output (" + out.log() + "):\n" + out.tail(), e);
        }
    }

    List<String> command(URI target, int customers, Duration warmup, Duration duration) {
        List<String> c = new ArrayList<>();
        c.add(java);
        c.addAll(JVM_OPTIONS);
        c.addAll(List.of(
                "-cp",
                classpath,
                Main.class.getName(),
                "grpc-bench-client",
                "--customers=" + customers,
                "--customer-header=" + StandardBench.CUSTOMER_HEADER,
                "--address=" + target.getHost() + ":" + target.getPort(),
                "--channels=" + CHANNELS,
                "--outstanding_rpcs=" + OUTSTANDING,
                "--client_payload=" + PAYLOAD_BYTES,
                "--server_payload=" + PAYLOAD_BYTES,
                "--warmup_duration=" + warmup.toSeconds(),
                "--duration=" + duration.toSeconds()));
        if (streaming) {
            c.add("--streaming_rpcs");
        }
        return c;
    }

    /** The version of grpc-benchmarks in this jar (written into a resource by the build). */
    static String benchmarkVersion() {
        try (InputStream in = GrpcBenchDriver.class.getResourceAsStream("/cell-loadtest-versions.properties")) {
            if (in == null) {
                return "(version unknown)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("grpc-benchmarks.version", "(version unknown)");
        } catch (IOException e) {
            return "(version unknown)";
        }
    }
}
