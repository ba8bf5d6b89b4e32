package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Moving a customer through the admin API re-routes it at once on this instance (README: Admin API and migrations). */
class MoveIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    private HttpResponse<String> post(String path, String body) throws Exception {
        return router.client()
                .send(
                        HttpRequest.newBuilder(router.admin(path))
                                .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void move_reroutesTheCustomerAtOnce() throws Exception {
        assertThat(router.get("acme", "/x").headers().firstValue("x-served-by")).hasValue("cell-1");

        HttpResponse<String> move = post("/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\"}");

        assertThat(move.statusCode()).isEqualTo(200);
        assertThat(move.body()).contains("\"fromCell\":\"cell-1\"", "\"toCell\":\"cell-2\"", "\"version\":2");
        assertThat(router.get("acme", "/x").headers().firstValue("x-served-by")).hasValue("cell-2");
        assertThat(router.adminGet("/admin/v1/customers/acme").body()).contains("\"cell\":\"cell-2\"");
        assertThat(router.adminGet("/metrics").body())
                .as("a move shows on a dashboard, not only in the audit log")
                .contains("cellrouter_admin_writes_total{action=\"move\",result=\"applied\"} 1.0");
    }

    @Test
    void move_withStaleExpectedVersion_returns409() throws Exception {
        HttpResponse<String> move =
                post("/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"expectedVersion\":7}");

        assertThat(move.statusCode()).isEqualTo(409);
        assertThat(router.get("acme", "/x").headers().firstValue("x-served-by")).hasValue("cell-1");
    }

    @Test
    void concurrentMoves_fromTheSameVersion_exactlyOneWins() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> moves = List.of(
                CompletableFuture.supplyAsync(() -> unchecked("{\"toCell\":\"cell-2\",\"expectedVersion\":1}")),
                CompletableFuture.supplyAsync(() -> unchecked("{\"toCell\":\"cell-1\",\"expectedVersion\":1}")));

        List<Integer> statuses = moves.stream()
                .map(CompletableFuture::join)
                .map(HttpResponse::statusCode)
                .toList();

        assertThat(statuses).containsExactlyInAnyOrder(200, 409);
    }

    @Test
    void move_toUnknownCell_returns404_andUnknownCustomer_returns404() throws Exception {
        assertThat(post("/admin/v1/customers/acme/move", "{\"toCell\":\"cell-9\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(post("/admin/v1/customers/nobody/move", "{\"toCell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void move_withUnknownField_returns400() throws Exception {
        assertThat(post("/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\",\"force\":true}")
                        .statusCode())
                .isEqualTo(400);
    }

    private HttpResponse<String> unchecked(String body) {
        try {
            return post("/admin/v1/customers/acme/move", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
