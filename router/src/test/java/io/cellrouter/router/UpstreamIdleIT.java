package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pooled connections to a cell are closed once idle for {@code upstream.idleTimeout}, and replaced on demand. */
class UpstreamIdleIT {

    private static final Pattern CELL_1_CONNECTIONS =
            Pattern.compile("cellrouter_upstream_connections\\{cell=\"cell-1\"[^}]*} ([0-9.]+)");

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .proxy(() -> "  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s\n    idleTimeout: 300ms");

    @Test
    void idlePooledConnection_isClosed_andTheNextRequestOpensAnother() throws Exception {
        assertThat(router.get("acme", "/first").statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> cell1Connections() == 0);

        assertThat(router.get("acme", "/second").statusCode()).isEqualTo(200);
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(2);
    }

    private double cell1Connections() throws Exception {
        String metrics = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = CELL_1_CONNECTIONS.matcher(metrics);
        assertThat(m.find()).as("cell-1 connection gauge in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
