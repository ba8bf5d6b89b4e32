package io.cellrouter.loadtest.cli;

import io.grpc.benchmarks.qps.AsyncServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code grpc-bench-server}: grpc-java's benchmark server, the cell of the gRPC loads of {@code bench}. */
@Command(
        name = "grpc-bench-server",
        mixinStandardHelpOptions = true,
        description = "Run grpc-java's benchmark server (io.grpc.benchmarks.qps.AsyncServer, bundled) until SIGTERM:"
                + " the cell of bench --drivers standard for gRPC. It listens on every local address"
                + " (grpc-java's choice) at --port.")
public final class GrpcBenchServerCommand implements Callable<Integer> {

    @Option(names = "--port", required = true, description = "Port.")
    int port;

    @Option(names = "--exit-on-stdin-eof", description = "Exit when stdin closes (a child of bench dies with it).")
    boolean exitOnStdinEof;

    @Override
    public Integer call() throws Exception {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--port must be in [1, 65535], was " + port);
        }
        if (exitOnStdinEof) {
            StdinWatch.exitAtEnd();
        }
        AsyncServer.main("--address=127.0.0.1:" + port);
        return 0;
    }
}
