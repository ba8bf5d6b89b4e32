package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.TestCell;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin API of README: Admin API and migrations over real sockets, on the file store: every write endpoint with
 * its status codes, strict bodies, idempotency, dry runs, freezes, cell states and the audit log.
 */
class AdminApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @RegisterExtension
    final AuditCapture audit = new AuditCapture();

    private HttpResponse<String> send(String method, String path, String body, String... headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(router.admin(path))
                    .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                    .timeout(Duration.ofSeconds(10))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return router.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private String servedBy(String customer) throws Exception {
        return router.get(customer, "/x").headers().firstValue("x-served-by").orElse(null);
    }

    @Test
    void concurrentMoves_fromTheSameVersion_oneWins_andThePlacementIsTheWinners() throws Exception {
        // Two other cells to race to (a move to the customer's own cell is 409 already_there).
        TestCell cell3 = TestCell.start("cell-3");
        try {
            assertThat(send("PUT", "/admin/v1/cells/cell-3", "{\"endpoint\":\"" + cell3.endpoint() + "\"}")
                            .statusCode())
                    .isEqualTo(201);
            raceTwoMoves();
        } finally {
            cell3.close();
        }
    }

    private void raceTwoMoves() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<CompletableFuture<HttpResponse<String>>> moves = List.of("cell-2", "cell-3").stream()
                .map(to -> CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return send(
                            "POST",
                            "/admin/v1/customers/acme/move",
                            "{\"toCell\":\"" + to + "\",\"expectedVersion\":1}");
                }))
                .toList();

        List<HttpResponse<String>> answers =
                moves.stream().map(CompletableFuture::join).toList();

        assertThat(answers).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(200, 409);
        HttpResponse<String> winner =
                answers.stream().filter(a -> a.statusCode() == 200).findFirst().orElseThrow();
        String winnerCell = json(winner).get("toCell").asText();
        JsonNode stored = json(router.adminGet("/admin/v1/customers/acme"));
        assertThat(stored.get("cell").asText()).isEqualTo(winnerCell);
        assertThat(stored.get("version").asLong()).isEqualTo(2);
        assertThat(servedBy("acme")).isEqualTo(winnerCell);
        assertThat(audit.lines()).anyMatch(l -> l.contains("\"result\":\"refused\"") && l.contains("version_conflict"));
    }

    @Test
    void moveWithFreezeFor_holdsTheCustomerWithoutForwarding_thenRoutesToTheNewCell() throws Exception {
        int before1 = router.cell("cell-1").requestCount();
        int before2 = router.cell("cell-2").requestCount();

        HttpResponse<String> move =
                send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"freezeFor\":\"2s\"}");

        assertThat(move.statusCode()).isEqualTo(200);
        assertThat(json(move).get("frozenUntil").asText()).isNotEmpty();
        HttpResponse<String> frozen = router.get("acme", "/x");
        assertThat(frozen.statusCode()).isEqualTo(503);
        assertThat(frozen.body()).contains("customer_frozen");
        assertThat(frozen.headers().firstValue("retry-after")).isPresent();
        assertThat(json(router.adminGet("/admin/v1/customers/acme"))
                        .get("override")
                        .get("freeze")
                        .asBoolean())
                .isTrue();
        int frozenAnswers = 0;
        while (router.get("acme", "/x").statusCode() == 503) {
            frozenAnswers++;
        }
        assertThat(frozenAnswers).isPositive();
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(before1);
        assertThat(router.cell("cell-2").requestCount()).isEqualTo(before2 + 1); // the request that ended the loop
        assertThat(servedBy("acme")).isEqualTo("cell-2");
        assertThat(servedBy("initech")).isEqualTo("cell-1"); // nobody else was held
    }

    @Test
    void moveDryRun_reportsTheMove_andWritesNothing() throws Exception {
        HttpResponse<String> dry = send("POST", "/admin/v1/customers/acme/move?dryRun=true", "{\"toCell\":\"cell-2\"}");

        assertThat(dry.statusCode()).isEqualTo(200);
        JsonNode body = json(dry);
        assertThat(body.get("fromCell").asText()).isEqualTo("cell-1");
        assertThat(body.get("toCell").asText()).isEqualTo("cell-2");
        assertThat(body.get("version").asLong()).isEqualTo(1);
        assertThat(body.get("dryRun").asBoolean()).isTrue();
        assertThat(json(router.adminGet("/admin/v1/customers/acme"))
                        .get("version")
                        .asLong())
                .isEqualTo(1);
        assertThat(servedBy("acme")).isEqualTo("cell-1");
        assertThat(audit.lines()).isEmpty();
    }

    @Test
    void retriedMove_withTheSameIdempotencyKey_returnsTheFirstAnswer_andWritesOnce() throws Exception {
        String body = "{\"toCell\":\"cell-2\"}";
        HttpResponse<String> first =
                send("POST", "/admin/v1/customers/acme/move", body, "Idempotency-Key", "move-acme-1");
        HttpResponse<String> retry =
                send("POST", "/admin/v1/customers/acme/move", body, "Idempotency-Key", "move-acme-1");
        HttpResponse<String> reused = send(
                "POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-1\"}", "Idempotency-Key", "move-acme-1");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(json(router.adminGet("/admin/v1/customers/acme"))
                        .get("version")
                        .asLong())
                .isEqualTo(2);
        assertThat(audit.lines().stream().filter(l -> l.contains("\"action\":\"move\"")))
                .hasSize(1);
        assertThat(audit.lines().get(0)).contains("\"idempotencyKey\":\"move-acme-1\"");
    }

    @Test
    void placeCustomer_returns201_then409NamingItsCell_404ForUnknownCell_422ForDrainingCell() throws Exception {
        assertThat(send("PUT", "/admin/v1/customers/hooli", "{\"cell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(servedBy("hooli")).isEqualTo("cell-2");
        HttpResponse<String> again = send("PUT", "/admin/v1/customers/hooli", "{\"cell\":\"cell-1\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).get("error").asText()).isEqualTo("version_conflict");
        assertThat(json(again).get("message").asText())
                .isEqualTo("customer hooli is already placed on cell cell-2; PUT places new customers only:"
                        + " to change its cell, move it (POST /admin/v1/customers/hooli/move)");
        assertThat(servedBy("hooli")).isEqualTo("cell-2");
        assertThat(send("PUT", "/admin/v1/customers/other", "{\"cell\":\"cell-9\"}")
                        .statusCode())
                .isEqualTo(404);

        HttpResponse<String> draining = send(
                "PUT",
                "/admin/v1/cells/cell-2",
                "{\"endpoint\":\"" + router.cell("cell-2").endpoint() + "\",\"state\":\"draining\"}");
        assertThat(draining.statusCode()).isEqualTo(200);
        assertThat(json(draining).get("state").asText()).isEqualTo("draining");

        assertThat(send("PUT", "/admin/v1/customers/newco", "{\"cell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(422);
        assertThat(send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(422);
        assertThat(servedBy("globex")).isEqualTo("cell-2"); // its existing customers keep routing
    }

    @Test
    void offlineCell_failsItsCustomersFastWith503_andOtherCellsServe() throws Exception {
        HttpResponse<String> put = send(
                "PUT",
                "/admin/v1/cells/cell-1",
                "{\"endpoint\":\"" + router.cell("cell-1").endpoint() + "\",\"state\":\"offline\"}");
        assertThat(put.statusCode()).isEqualTo(200);
        int before = router.cell("cell-1").requestCount();

        HttpResponse<String> acme = router.get("acme", "/x");

        assertThat(acme.statusCode()).isEqualTo(503);
        assertThat(acme.body()).contains("cell_offline");
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(before);
        assertThat(servedBy("globex")).isEqualTo("cell-2");
        assertThat(audit.lines())
                .anyMatch(l -> l.contains("\"action\":\"put_cell\"") && l.contains("\"state\":\"offline\""));
    }

    @Test
    void overrides_putShowsInCustomer_routes_andDeleteRemovesIt_withTheirErrors() throws Exception {
        HttpResponse<String> put = send(
                "PUT", "/admin/v1/overrides/acme", "{\"cell\":\"cell-2\",\"ttl\":\"10m\",\"reason\":\"incident 42\"}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(servedBy("acme")).isEqualTo("cell-2");
        JsonNode customer = json(router.adminGet("/admin/v1/customers/acme"));
        assertThat(customer.get("cell").asText()).isEqualTo("cell-1");
        assertThat(customer.get("override").get("cell").asText()).isEqualTo("cell-2");
        assertThat(customer.get("override").get("reason").asText()).isEqualTo("incident 42");

        assertThat(send("PUT", "/admin/v1/overrides/acme", "{\"cell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/overrides/acme", "{\"cell\":\"cell-2\",\"freeze\":true,\"ttl\":\"1m\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/overrides/acme", "{\"cell\":\"cell-9\",\"ttl\":\"1m\"}")
                        .statusCode())
                .isEqualTo(404);

        assertThat(send("DELETE", "/admin/v1/overrides/acme", null).statusCode())
                .isEqualTo(200);
        assertThat(servedBy("acme")).isEqualTo("cell-1");
        assertThat(json(router.adminGet("/admin/v1/customers/acme"))
                        .get("override")
                        .isNull())
                .isTrue();
        assertThat(send("DELETE", "/admin/v1/overrides/acme", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void overrideWithTtl_expiresByItself() throws Exception {
        assertThat(send("PUT", "/admin/v1/overrides/acme", "{\"freeze\":true,\"ttl\":\"1s\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(router.get("acme", "/x").statusCode()).isEqualTo(503);

        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "cell-1".equals(servedBy("acme")));
    }

    @Test
    void strictBodies_unknownFieldsWrongTypesAndBadNames_return400_andAreAudited() throws Exception {
        assertThat(send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"force\":true}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"expectedVersion\":\"1\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"toCell\":\"cell-1\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell 2\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"freezeFor\":\"soon\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/cells/cell-3", "{\"endpoint\":\"ftp://x\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/cells/cell-3", "{\"endpoint\":\"http://127.0.0.1:1\",\"state\":\"gone\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/admin/v1/customers/bad%20name", "{\"cell\":\"cell-1\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/admin/v1/customers/acme/move?force=1", "{\"toCell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(400);

        assertThat(servedBy("acme")).isEqualTo("cell-1");
        assertThat(audit.lines()).hasSizeGreaterThanOrEqualTo(7).allMatch(l -> l.contains("\"result\":\"refused\""));
    }

    @Test
    void auditLine_namesWhoWhatBeforeAfterAndVersion_butNeverTheToken() throws Exception {
        send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\"}");

        assertThat(audit.lines()).hasSize(1);
        JsonNode line = JSON.readTree(audit.lines().get(0));
        assertThat(line.get("who").asText()).startsWith("token:sha256:");
        assertThat(line.get("action").asText()).isEqualTo("move");
        assertThat(line.get("target").asText()).isEqualTo("customer/acme");
        assertThat(line.get("result").asText()).isEqualTo("applied");
        assertThat(line.get("before").get("cell").asText()).isEqualTo("cell-1");
        assertThat(line.get("after").get("cell").asText()).isEqualTo("cell-2");
        assertThat(line.get("version").asLong()).isEqualTo(2);
        assertThat(line.has("time")).isTrue();
        assertThat(audit.lines().get(0)).doesNotContain(RouterExtension.ADMIN_TOKEN);
    }

    @Test
    void wrongMethodOnANamedResource_is405WithItsAllow_unknownSubresource404_andAudited() throws Exception {
        HttpResponse<String> cell = send("DELETE", "/admin/v1/cells/cell-1", null);
        HttpResponse<String> customer = send("POST", "/admin/v1/customers/acme", "{}");
        HttpResponse<String> move = send("GET", "/admin/v1/customers/acme/move", null);
        HttpResponse<String> cellMove = send("POST", "/admin/v1/cells/cell-1/move", "{}");

        assertThat(cell.statusCode()).isEqualTo(405);
        assertThat(cell.headers().firstValue("allow")).hasValue("GET, HEAD, PUT, PATCH");
        assertThat(json(cell).get("error").asText()).isEqualTo("method_not_allowed");
        assertThat(customer.statusCode()).isEqualTo(405);
        assertThat(customer.headers().firstValue("allow")).hasValue("GET, HEAD, PUT");
        assertThat(move.statusCode()).isEqualTo(405);
        assertThat(move.headers().firstValue("allow")).hasValue("POST");
        assertThat(cellMove.statusCode()).isEqualTo(404);
        assertThat(audit.lines()).hasSize(3).allSatisfy(l -> assertThat(l).contains("\"result\":\"refused\""));
    }

    @Test
    void head_isARead_answeredWithoutABody_andNeverAudited() throws Exception {
        HttpResponse<String> customer = send("HEAD", "/admin/v1/customers/acme", null);
        HttpResponse<String> cells = send("HEAD", "/admin/v1/cells", null);

        assertThat(customer.statusCode()).isEqualTo(200);
        assertThat(customer.body()).isEmpty();
        assertThat(cells.statusCode()).isEqualTo(200);
        assertThat(audit.lines()).isEmpty();
    }

    @Test
    void missingOrWrongToken_is401_andAdminPathsOnTheProxyPort_are404() throws Exception {
        HttpResponse<String> none = router.client()
                .send(
                        HttpRequest.newBuilder(router.admin("/admin/v1/cells")).build(),
                        HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> wrong = router.client()
                .send(
                        HttpRequest.newBuilder(router.admin("/admin/v1/customers/acme/move"))
                                .header("Authorization", "Bearer not-the-admin-token-at-all")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"toCell\":\"cell-2\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> onProxy = router.client()
                .send(
                        HttpRequest.newBuilder(router.proxy("/admin/v1/cells"))
                                .header("x-customer-id", "acme")
                                .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(onProxy.statusCode()).isEqualTo(404);
        assertThat(router.cell("cell-1").requestCount()).isZero();
        assertThat(servedBy("acme")).isEqualTo("cell-1");
    }
}
