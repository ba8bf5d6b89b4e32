package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterExtension;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The alarm gauges keep reporting after garbage collections: a gauge whose value function is only
 * weakly held reads NaN once it is collected, and a store-down alert on it can never fire.
 */
class MetricsGaugesIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @Test
    void alarmGauges_afterCollections_scrapeRealValues() throws Exception {
        assertThat(router.get("acme", "/hello").statusCode()).isEqualTo(200);

        forceCollections(3);

        String metrics = scrape();
        assertThat(gauge(metrics, "cellrouter_cache_size")).isEqualTo(3.0); // the three preloaded customers
        assertThat(gauge(metrics, "cellrouter_registry_store_down")).isEqualTo(0.0);
        assertThat(gauge(metrics, "cellrouter_registry_snapshot_serving")).isEqualTo(0.0);
        assertThat(gauge(metrics, "cellrouter_requests_active")).isEqualTo(0.0);
        assertThat(gauge(metrics, "cellrouter_client_connections")).isEqualTo(1.0); // the test client's
    }

    @Test
    void clientConnections_countWhatIsOpen() throws Exception {
        assertThat(router.get("acme", "/hello").statusCode()).isEqualTo(200); // the test client's, kept
        try (Socket one = new Socket("127.0.0.1", router.server().proxyAddress().getPort());
                Socket two =
                        new Socket("127.0.0.1", router.server().proxyAddress().getPort())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge(scrape(), "cellrouter_client_connections") == 3.0);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge(scrape(), "cellrouter_client_connections") == 1.0);
    }

    /** Runs full collections until a weakly held sentinel has been cleared, {@code rounds} times. */
    private static void forceCollections(int rounds) {
        for (int i = 0; i < rounds; i++) {
            WeakReference<Object> sentinel = new WeakReference<>(new Object());
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        System.gc();
                        return sentinel.get() == null;
                    });
        }
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of an untagged gauge line {@code NAME VALUE}. */
    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("%s in /metrics", name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
