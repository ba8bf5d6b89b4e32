package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Draining an HTTP/2 connection: the two-step GOAWAY of RFC 9113 section 6.8 (first the largest
 * stream id, then the real last one), and the stream in flight still completes.
 */
@Timeout(30)
class Http2DrainIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @Test
    void drain_sendsTwoGoAways_andTheStreamInFlightCompletes() throws Exception {
        try (RawH2 client = new RawH2(router.server().proxyAddress())) {
            client.headers(1, H2Client.request("GET", "/slow?ms=1500", "x-customer-id", "acme"), true)
                    .flush();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> router.cell("cell-1").requestCount() == 1);

            CompletableFuture<Boolean> drained =
                    CompletableFuture.supplyAsync(() -> router.server().drainAndStop(Duration.ofSeconds(10)));

            boolean done = client.readUntil(
                    e -> e.stream().anyMatch(s -> s.startsWith("DATA 1") && s.endsWith("end")), 10_000);
            List<String> events = client.events();
            assertThat(done).as(events.toString()).isTrue();
            List<String> goAways =
                    events.stream().filter(s -> s.startsWith("GOAWAY")).toList();
            assertThat(goAways).as(events.toString()).isNotEmpty();
            assertThat(goAways.get(0)).isEqualTo("GOAWAY 0 last=" + Integer.MAX_VALUE);
            assertThat(goAways)
                    .as("the second GOAWAY names the last stream taken")
                    .contains("GOAWAY 0 last=1");
            assertThat(events.stream().anyMatch(s -> s.startsWith("HEADERS 1") && s.contains("200")))
                    .as(events.toString())
                    .isTrue();
            assertThat(events.indexOf(goAways.get(0)))
                    .as("the first GOAWAY comes before the response ends")
                    .isLessThan(events.size() - 1);
            assertThat(drained.get()).as("nothing was cut off").isTrue();
        }
    }
}
