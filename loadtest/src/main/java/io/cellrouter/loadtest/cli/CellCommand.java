package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.cell.LoadTestCell;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cell}: the benchmark's stand-in cell, until SIGTERM (or, for a child, until stdin closes). */
@Command(
        name = "cell",
        mixinStandardHelpOptions = true,
        description = "Serve a fixed small body over HTTP/1.1 and h2c, and echo cellrouter.loadtest.Echo gRPC"
                + " calls, on one loopback port. Prints 'listening on HOST:PORT'.")
public final class CellCommand implements Callable<Integer> {

    @Option(
            names = "--name",
            defaultValue = "cell-1",
            description = "Cell name (in the body). Default: ${DEFAULT-VALUE}.")
    String name;

    @Option(
            names = "--port",
            defaultValue = "0",
            description = "Port on 127.0.0.1 (0: any). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--threads", defaultValue = "1", description = "Event loops. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--count",
            description = "Count HTTP/1.1 requests by x-customer-id, method and x-cell-router-shadow; GET"
                    + " /.tally on the cell itself answers the counts ('count CUSTOMER METHOD primary|shadow N'"
                    + " lines), and they are printed at exit.")
    boolean count;

    @Option(names = "--exit-on-stdin-eof", description = "Exit when stdin closes (a child of bench dies with it).")
    boolean exitOnStdinEof;

    @Override
    public Integer call() throws Exception {
        LoadTestCell cell = LoadTestCell.start(name, new InetSocketAddress("127.0.0.1", port), threads, count);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cell.close();
            if (cell.tally() != null) {
                cell.tally().lines().forEach(System.out::println);
                System.out.flush();
            }
            stop.countDown();
        }));
        System.out.println("listening on 127.0.0.1:" + cell.address().getPort());
        System.out.flush();
        if (exitOnStdinEof) {
            StdinWatch.exitAtEnd();
        }
        stop.await();
        return 0;
    }
}
