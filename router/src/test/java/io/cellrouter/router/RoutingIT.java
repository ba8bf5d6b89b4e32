package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real HTTP client through a real router to two real cells (README: How a request is routed). */
class RoutingIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @Test
    void header_routesEachCustomerToItsCell() throws Exception {
        HttpResponse<String> acme = router.get("acme", "/hello");
        HttpResponse<String> globex = router.get("globex", "/hello");

        assertThat(acme.statusCode()).isEqualTo(200);
        assertThat(acme.headers().firstValue("x-served-by")).hasValue("cell-1");
        assertThat(globex.statusCode()).isEqualTo(200);
        assertThat(globex.headers().firstValue("x-served-by")).hasValue("cell-2");
    }

    @Test
    void host_routesByCustomerSubdomain() throws Exception {
        // The JDK client does not let a caller set Host, so the request is written on a socket.
        RawHttp.Response response = RawHttp.exchange(
                router.server().proxyAddress(),
                "GET /hello HTTP/1.1\r\nHost: globex.api.example.com\r\nConnection: close\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-served-by")).isEqualTo("cell-2");
    }

    @Test
    void path_routesByCustomerSegment() throws Exception {
        HttpResponse<String> response = router.get(null, "/v1/customers/globex/orders");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-2");
        assertThat(response.body()).contains("\"path\":\"/v1/customers/globex/orders\"");
    }

    @Test
    void query_routesByCustomerParameter() throws Exception {
        HttpResponse<String> response = router.get(null, "/hello?customer=globex&x=1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-2");
    }

    @Test
    void sources_areTriedInOrder_headerWinsOverPath() throws Exception {
        HttpResponse<String> response = router.get("acme", "/v1/customers/globex/orders");

        assertThat(response.headers().firstValue("x-served-by")).hasValue("cell-1");
    }

    @Test
    void unknownCustomer_returns404UnknownCustomer() throws Exception {
        HttpResponse<String> response = router.get("nobody", "/hello");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"error\":\"unknown_customer\"");
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(router.cell("cell-1").requestCount() + router.cell("cell-2").requestCount())
                .isZero();
    }

    @Test
    void noIdentity_returns401MissingIdentity() throws Exception {
        HttpResponse<String> response = router.get(null, "/hello");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"error\":\"missing_identity\"");
    }

    @Test
    void invalidCustomerId_returns400() throws Exception {
        HttpResponse<String> response = router.get("bad id!", "/hello");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(router.cell("cell-1").requestCount() + router.cell("cell-2").requestCount())
                .isZero();
    }

    @Test
    void stoppedCell_failsOnlyItsOwnCustomers() throws Exception {
        assertThat(router.get("acme", "/warm").statusCode()).isEqualTo(200);
        router.stopCell("cell-1");

        HttpResponse<String> acme = router.get("acme", "/hello");
        HttpResponse<String> globex = router.get("globex", "/hello");

        assertThat(acme.statusCode()).isEqualTo(502);
        assertThat(acme.body()).contains("\"error\":\"cell_unreachable\"");
        assertThat(globex.statusCode()).isEqualTo(200);
        assertThat(globex.headers().firstValue("x-served-by")).hasValue("cell-2");
    }

    @Test
    void keepAlive_servesManyRequestsOnOneConnection() throws Exception {
        for (int i = 0; i < 50; i++) {
            String customer = i % 2 == 0 ? "acme" : "globex";
            HttpResponse<String> response = router.get(customer, "/n/" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("/n/" + i);
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(25);
        assertThat(router.cell("cell-2").requestCount()).isEqualTo(25);
    }

    @Test
    void registryEdit_reroutesWithoutRestart() throws Exception {
        assertThat(router.get("acme", "/hello").headers().firstValue("x-served-by"))
                .hasValue("cell-1");

        router.writeRegistry(
                """
                cells:
                  - name: cell-1
                    endpoint: %s
                  - name: cell-2
                    endpoint: %s
                customers:
                  acme: cell-2
                  initech: cell-1
                  globex: cell-2
                """
                        .formatted(
                                router.cell("cell-1").endpoint(),
                                router.cell("cell-2").endpoint()));

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> router.get("acme", "/hello")
                                .headers()
                                .firstValue("x-served-by")
                                .orElse(""),
                        "cell-2"::equals);
    }

    @Test
    void adminResolve_reportsCellAndSource() throws Exception {
        HttpResponse<String> response = router.adminGet("/admin/v1/resolve/globex");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"cell\":\"cell-2\"");
    }

    @Test
    void adminResolve_onACacheHit_reportsTheCacheAge() throws Exception {
        router.get("globex", "/warm");

        HttpResponse<String> response = router.adminGet("/admin/v1/resolve/globex");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"source\":\"cache\"").containsPattern("\"cacheAgeMillis\":[0-9]+");
    }

    @Test
    void adminCells_withoutToken_returns401() throws Exception {
        HttpResponse<String> response = router.client()
                .send(
                        HttpRequest.newBuilder(router.admin("/admin/v1/cells")).build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void adminCells_listsCellsWithMetadata() throws Exception {
        HttpResponse<String> response = router.adminGet("/admin/v1/cells");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"name\":\"cell-1\"", "\"region\":\"eu-west-1\"", "\"name\":\"cell-2\"");
    }

    @Test
    void metrics_countRequestsByCell() throws Exception {
        router.get("acme", "/hello");
        router.get("nobody", "/hello");

        String metrics = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();

        assertThat(metrics)
                .containsPattern(
                        "cellrouter_requests_total\\{cell=\"cell-1\",outcome=\"2xx\",protocol=\"http1\",region=\"eu-west-1\",tier=\"prod\"} 1.0");
        assertThat(metrics).contains("outcome=\"unknown_customer\"");
        assertThat(metrics).contains("cellrouter_upstream_connections{cell=\"cell-1\"");
        assertThat(metrics).contains("cellrouter_cache_size");
    }

    @Test
    void healthAndReadiness_answer200() throws Exception {
        for (String path : new String[] {"/healthz", "/readyz"}) {
            HttpResponse<String> response = router.client()
                    .send(HttpRequest.newBuilder(router.admin(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(200);
        }
    }
}
