package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code proxy.eventLoops} sets how many threads serve the connections: with one, every connection
 * (client and cell side) is served by the same thread, whatever the machine's cores.
 */
class EventLoopsIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .proxy(() -> "  eventLoops: 1\n  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n");

    @Test
    void oneEventLoop_servesEveryConnectionOnOneThread() throws Exception {
        for (int i = 0; i < 8; i++) {
            RawHttp.Response response = RawHttp.exchange(
                    router.server().proxyAddress(),
                    "GET /hello HTTP/1.1\r\nHost: a\r\nx-customer-id: " + (i % 2 == 0 ? "acme" : "globex")
                            + "\r\nConnection: close\r\n\r\n");
            assertThat(response.status()).isEqualTo(200);
        }

        // Netty names a group's threads <prefix>-<group>-<thread>, starting them as connections
        // arrive (round robin over the loops); this router's group is the newest one.
        List<String[]> io = Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> name.startsWith("cellrouter-io-"))
                .map(name -> name.substring("cellrouter-io-".length()).split("-"))
                .collect(Collectors.toList());
        int newest =
                io.stream().mapToInt(parts -> Integer.parseInt(parts[0])).max().orElseThrow();
        assertThat(io.stream().filter(parts -> Integer.parseInt(parts[0]) == newest))
                .as("threads of the router's connection group")
                .hasSize(1);
    }

    @Test
    void adminListener_hasItsOwnThread_apartFromTheProxyLoops() throws Exception {
        assertThat(router.adminGet("/healthz").statusCode()).isEqualTo(200);

        // The admin listener (its accept and its connections) is served by its own group's one
        // thread, started when the listener was bound; the proxy's loops never see an admin request.
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                .as("live threads")
                .anyMatch(name -> name.startsWith("cellrouter-admin-"));
    }
}
