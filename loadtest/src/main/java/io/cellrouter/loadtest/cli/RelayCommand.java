package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.relay.ByteRelay;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code relay}: the byte relay that shows what one bare Netty hop costs, until SIGTERM or stdin's end. */
@Command(
        name = "relay",
        mixinStandardHelpOptions = true,
        description = "Copy bytes between each client connection and a connection of its own to a cell (round"
                + " robin over --cell), on one loopback port: one Netty hop with no HTTP and no routing, the"
                + " floor the router is compared with. Prints 'listening on HOST:PORT'.")
public final class RelayCommand implements Callable<Integer> {

    @Option(names = "--cell", required = true, description = "HOST:PORT of a cell (repeat for more).")
    List<String> cells;

    @Option(
            names = "--port",
            defaultValue = "0",
            description = "Port on 127.0.0.1 (0: any). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "Event loops (0: one per core). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--exit-on-stdin-eof", description = "Exit when stdin closes (a child of bench dies with it).")
    boolean exitOnStdinEof;

    @Override
    public Integer call() throws Exception {
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String cell : cells) {
            int colon = cell.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--cell " + cell + ": expected HOST:PORT");
            }
            targets.add(new InetSocketAddress(cell.substring(0, colon), Integer.parseInt(cell.substring(colon + 1))));
        }
        int loops = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ByteRelay relay = ByteRelay.start(new InetSocketAddress("127.0.0.1", port), targets, loops);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            stop.countDown();
        }));
        System.out.println("listening on 127.0.0.1:" + relay.address().getPort());
        System.out.flush();
        if (exitOnStdinEof) {
            StdinWatch.exitAtEnd();
        }
        stop.await();
        return 0;
    }
}
