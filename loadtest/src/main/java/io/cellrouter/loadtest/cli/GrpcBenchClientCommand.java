package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.bench.standard.CustomerInterceptor;
import io.grpc.benchmarks.qps.AsyncClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code grpc-bench-client}: grpc-java's benchmark client, unchanged but for the routing metadata
 * added to every call, so that a router can route it.
 */
@Command(
        name = "grpc-bench-client",
        mixinStandardHelpOptions = true,
        description = {
            "Run grpc-java's benchmark client (io.grpc.benchmarks.qps.AsyncClient, bundled) with"
                    + " '<header>: c<random 0..customers-1>' metadata on every call (every stream when"
                    + " streaming): the gRPC driver of bench --drivers standard.",
            "Every other argument goes to AsyncClient as it is, e.g. --address=127.0.0.1:PORT --channels=2"
                    + " --outstanding_rpcs=10 --client_payload=128 --server_payload=128 --duration=10"
                    + " --warmup_duration=3 [--streaming_rpcs]; AsyncClient --help lists them."
        })
public final class GrpcBenchClientCommand implements Callable<Integer> {

    @Option(
            names = "--customers",
            defaultValue = "1000",
            description = "Customers c0..cN-1 drawn uniformly per call. Default: ${DEFAULT-VALUE}.")
    int customers;

    @Option(
            names = "--customer-header",
            defaultValue = "x-customer-id",
            description = "The metadata key. Default: ${DEFAULT-VALUE}.")
    String header;

    @Unmatched
    List<String> clientArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (customers < 1) {
            throw new IllegalArgumentException("--customers must be at least 1, was " + customers);
        }
        if (clientArgs.stream().noneMatch(a -> a.startsWith("--address="))) {
            throw new IllegalArgumentException("--address=HOST:PORT is required (passed to AsyncClient)");
        }
        CustomerInterceptor.installForAllChannels(header, customers);
        AsyncClient.main(clientArgs.toArray(String[]::new));
        return 0;
    }
}
