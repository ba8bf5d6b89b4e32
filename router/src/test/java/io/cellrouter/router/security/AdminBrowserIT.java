package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin API as a web page on another site would use it through the operator's browser, and
 * write attempts refused before any endpoint runs: refused, nothing written, and audited.
 */
@Timeout(60)
class AdminBrowserIT {

    private static final String MOVE = "/admin/v1/customers/acme/move";
    private static final String TO_CELL_2 = "{\"toCell\":\"cell-2\"}";

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @RegisterExtension
    final AuditCapture audit = new AuditCapture();

    private AdminCalls operator() {
        return AdminCalls.of(router, RouterExtension.ADMIN_TOKEN);
    }

    private String servedBy() throws Exception {
        return router.get("acme", "/x").headers().firstValue("x-served-by").orElseThrow();
    }

    @Test
    void crossSitePost_asABrowserSendsIt_is403_movesNothing_andIsAudited() throws Exception {
        // What a form or fetch(..., {mode: "no-cors"}) on https://evil.example sends: a "simple"
        // request, so the browser asks nothing first.
        HttpResponse<String> origin = operator()
                .send("POST", MOVE, TO_CELL_2, "Content-Type", "text/plain", "Origin", "https://evil.example");
        HttpResponse<String> fetchSite =
                operator().send("POST", MOVE, TO_CELL_2, "Content-Type", "text/plain", "Sec-Fetch-Site", "cross-site");
        HttpResponse<String> opaque = operator().send("POST", MOVE, TO_CELL_2, "Origin", "null");

        for (HttpResponse<String> refused : java.util.List.of(origin, fetchSite, opaque)) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(AdminCalls.json(refused).get("error").asText()).isEqualTo("forbidden");
        }
        assertThat(AdminCalls.json(origin).get("message").asText()).contains("https://evil.example");
        assertThat(servedBy()).isEqualTo("cell-1");
        assertThat(audit.lines()).hasSize(3).allSatisfy(l -> assertThat(l)
                .contains("\"status\":403", "\"result\":\"refused\""));
    }

    @Test
    void crossSiteRead_is403() {
        HttpResponse<String> read =
                operator().send("GET", "/admin/v1/customers/acme", null, "Origin", "http://evil.example");

        assertThat(read.statusCode()).isEqualTo(403);
        assertThat(read.body()).doesNotContain("cell-1");
        assertThat(audit.lines()).isEmpty(); // reads are not audited
    }

    @Test
    void theConsolesOwnOrigin_isServed() throws Exception {
        String own = "http://127.0.0.1:" + router.server().adminAddress().getPort();

        HttpResponse<String> moved = operator()
                .send(
                        "POST",
                        MOVE,
                        TO_CELL_2,
                        "Content-Type",
                        "application/json",
                        "Origin",
                        own,
                        "Sec-Fetch-Site",
                        "same-origin");

        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(servedBy()).isEqualTo("cell-2");
    }

    @Test
    void dryRunWithAKey_thenTheRealMoveWithTheSameKey_moves() throws Exception {
        HttpResponse<String> dry = operator().send("POST", MOVE + "?dryRun=true", TO_CELL_2, "Idempotency-Key", "k-1");
        HttpResponse<String> real = operator().send("POST", MOVE, TO_CELL_2, "Idempotency-Key", "k-1");
        HttpResponse<String> dryAfter =
                operator().send("POST", MOVE + "?dryRun=true", "{\"toCell\":\"cell-1\"}", "Idempotency-Key", "k-1");

        assertThat(dry.statusCode()).isEqualTo(200);
        assertThat(AdminCalls.json(dry).get("dryRun").asBoolean()).isTrue();
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(real.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(AdminCalls.json(real).has("dryRun")).isFalse();
        assertThat(servedBy()).isEqualTo("cell-2");
        // The dry run after it is a dry run of its own body, not a replay of the move.
        assertThat(dryAfter.statusCode()).isEqualTo(200);
        assertThat(AdminCalls.json(dryAfter).get("dryRun").asBoolean()).isTrue();
        assertThat(AdminCalls.json(dryAfter).get("toCell").asText()).isEqualTo("cell-1");
        assertThat(audit.lines()).hasSize(1).allSatisfy(l -> assertThat(l).contains("\"status\":200"));
    }

    @Test
    void writesRefusedBeforeTheirEndpoint_areAudited() throws Exception {
        HttpResponse<String> parameter = operator().send("POST", MOVE + "?force=true", TO_CELL_2);
        HttpResponse<String> dryRun = operator().send("POST", MOVE + "?dryRun=maybe", TO_CELL_2);
        HttpResponse<String> key = operator().send("POST", MOVE, TO_CELL_2, "Idempotency-Key", "bad key");
        HttpResponse<String> method = operator().send("POST", "/admin/v1/cells", "{}");

        assertThat(parameter.statusCode()).isEqualTo(400);
        assertThat(dryRun.statusCode()).isEqualTo(400);
        assertThat(key.statusCode()).isEqualTo(400);
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(servedBy()).isEqualTo("cell-1");
        assertThat(audit.lines())
                .hasSize(4)
                .allSatisfy(l -> assertThat(l).contains("\"result\":\"refused\""))
                .anySatisfy(l -> assertThat(l).contains("\"status\":405", "\"target\""));
    }
}
