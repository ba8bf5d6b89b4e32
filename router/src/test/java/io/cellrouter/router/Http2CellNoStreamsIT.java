package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cell whose SETTINGS allow no stream at all (SETTINGS_MAX_CONCURRENT_STREAMS 0: a cell that
 * drains or sheds load this way). Before, each request opened a new connection that the router
 * then kept until it idled out: a tester drove the router to its file-descriptor limit in 35 s,
 * and then every cell's customers failed. Now the connection closes, the request gets 503
 * {@code cell_overloaded}, and for a second the cell's requests fail at once, without a connection.
 */
@Timeout(60)
class Http2CellNoStreamsIT {

    private static final Pattern CONNECTIONS =
            Pattern.compile("cellrouter_upstream_connections\\{cell=\"closed\"[^}]*} ([0-9.]+)");

    private static H2TestCell cell;

    @BeforeAll
    static void start() throws Exception {
        cell = new H2TestCell("closed", 0);
    }

    @AfterAll
    static void stop() {
        cell.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "", r -> "  - name: closed\n    endpoint: h2c://127.0.0.1:" + cell.port() + "\n", "  bob: closed\n")
            .proxy(() -> "  eventLoops: 1\n");

    @Test
    void cellAllowingNoStream_isAnswered503_withoutAConnectionPerRequest() throws Exception {
        int before = cell.connections();

        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = router.get("bob", "/x");
            assertThat(response.statusCode()).as("request " + i).isEqualTo(503);
            assertThat(response.body()).contains("cell_overloaded");
        }

        // One connection per second at most (the requests took less than a few seconds).
        assertThat(cell.connections() - before).isBetween(1, 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(CONNECTIONS) == 0);
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    private double gauge(Pattern gauge) throws Exception {
        String metrics = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = gauge.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
