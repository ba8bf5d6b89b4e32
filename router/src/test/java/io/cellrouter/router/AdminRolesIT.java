package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code admin.tokens} with roles: a viewer reads everything and writes nothing; operators write. */
class AdminRolesIT {

    static final String VIEWER = "viewer-token-0123456789";
    static final String SECOND_OPERATOR = "operator-two-0123456789";

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .admin(() -> "  tokens:\n    - {token: " + VIEWER + ", role: viewer}\n    - {token: " + SECOND_OPERATOR
                    + ", role: operator}");

    @RegisterExtension
    final AuditCapture audit = new AuditCapture();

    @Test
    void viewer_mayReadEveryList() {
        AdminCalls viewer = AdminCalls.of(router, VIEWER);

        assertThat(viewer.getJson("/admin/v1/whoami").get("role").asText()).isEqualTo("viewer");
        assertThat(viewer.get("/admin/v1/cells").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin/v1/cells/cell-1").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin/v1/customers?cell=cell-1").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin/v1/customers/acme").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin/v1/overrides").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin/v1/resolve/acme").statusCode()).isEqualTo(200);
        assertThat(viewer.get("/admin/v1/stats").statusCode()).isEqualTo(200);
    }

    @Test
    void viewer_everyWrite_is403Forbidden_writesNothing_andIsAudited() throws Exception {
        AdminCalls viewer = AdminCalls.of(router, VIEWER);

        // Every write the admin API takes, each refused before it reaches its endpoint.
        List<HttpResponse<String>> refused = List.of(
                viewer.send("PUT", "/admin/v1/customers/newco", "{\"cell\":\"cell-1\"}"),
                viewer.send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\"}"),
                viewer.send("PUT", "/admin/v1/cells/cell-9", "{\"endpoint\":\"http://127.0.0.1:9\"}"),
                viewer.send("PATCH", "/admin/v1/cells/cell-1", "{\"state\":\"offline\"}"),
                viewer.send("PUT", "/admin/v1/overrides/acme", "{\"freeze\":true,\"ttl\":\"1m\"}"),
                viewer.send("DELETE", "/admin/v1/overrides/acme", null),
                viewer.send("PUT", "/admin/v1/customers/acme/shadow", "{\"toCell\":\"cell-2\",\"fraction\":1}"),
                viewer.send("DELETE", "/admin/v1/customers/acme/shadow", null),
                viewer.send("POST", "/admin/v1/customers/acme/move?dryRun=true", "{\"toCell\":\"cell-2\"}"));

        for (HttpResponse<String> response : refused) {
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(AdminCalls.json(response).get("error").asText()).isEqualTo("forbidden");
        }
        assertThat(router.get("acme", "/x").headers().firstValue("x-served-by")).hasValue("cell-1");
        assertThat(AdminCalls.of(router, SECOND_OPERATOR)
                        .getJson("/admin/v1/cells/cell-1")
                        .get("state")
                        .asText())
                .isEqualTo("active");
        assertThat(audit.lines())
                .hasSize(9)
                .allSatisfy(l -> assertThat(l).contains("\"status\":403", "\"result\":\"refused\""))
                .noneMatch(l -> l.contains(VIEWER));
        // Each is audited under the action and target its endpoint would have given it (not as the
        // request line), and counted so; a dry run is no write, so it keeps the request line.
        assertThat(audit.lines().stream()
                        .map(AdminCalls::json)
                        .map(l ->
                                l.get("action").asText() + " " + l.get("target").asText()))
                .containsExactly(
                        "place customer/newco",
                        "move customer/acme",
                        "put_cell cell/cell-9",
                        "patch_cell cell/cell-1",
                        "put_override override/acme",
                        "delete_override override/acme",
                        "put_shadow shadow/acme",
                        "delete_shadow shadow/acme",
                        "POST /admin/v1/customers/acme/move /admin/v1/customers/acme/move");
        assertThat(router.adminGet("/metrics").body())
                .contains(
                        "cellrouter_admin_writes_total{action=\"move\",result=\"refused\"} 1.0",
                        "cellrouter_admin_writes_total{action=\"patch_cell\",result=\"refused\"} 1.0",
                        "cellrouter_admin_writes_total{action=\"other\",result=\"refused\"} 1.0");
    }

    @Test
    void viewer_writeForACustomerNamedLikeTheDryRunParameter_keepsItsAction() throws Exception {
        HttpResponse<String> refused =
                AdminCalls.of(router, VIEWER).send("PUT", "/admin/v1/customers/dryrun-co", "{\"cell\":\"cell-1\"}");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(audit.lines()).singleElement().satisfies(line -> assertThat(
                        AdminCalls.json(line).get("action").asText() + " "
                                + AdminCalls.json(line).get("target").asText())
                .isEqualTo("place customer/dryrun-co"));
    }

    @Test
    void viewer_writeToAPathThatNamesNoWrite_isAuditedAsTheRequestLine() throws Exception {
        HttpResponse<String> refused =
                AdminCalls.of(router, VIEWER).send("POST", "/admin/v1/customers/acme/rename", "{}");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(audit.lines()).singleElement().satisfies(line -> assertThat(
                        AdminCalls.json(line).get("action").asText())
                .isEqualTo("POST /admin/v1/customers/acme/rename"));
        assertThat(router.adminGet("/metrics").body())
                .contains("cellrouter_admin_writes_total{action=\"other\",result=\"refused\"} 1.0");
    }

    @Test
    void operators_bothTheSingleTokenAndOneOfTheList_mayWrite_andAreToldApartInTheAudit() {
        AdminCalls first = AdminCalls.of(router, RouterExtension.ADMIN_TOKEN);
        AdminCalls second = AdminCalls.of(router, SECOND_OPERATOR);

        assertThat(first.getJson("/admin/v1/whoami").get("role").asText()).isEqualTo("operator");
        assertThat(second.send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(first.send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-1\"}")
                        .statusCode())
                .isEqualTo(200);

        assertThat(audit.lines()).hasSize(2);
        assertThat(audit.lines().get(0)).doesNotContain(SECOND_OPERATOR);
        String who0 = AdminCalls.json(audit.lines().get(0)).get("who").asText();
        String who1 = AdminCalls.json(audit.lines().get(1)).get("who").asText();
        assertThat(who0).startsWith("token:sha256:").isNotEqualTo(who1);
    }

    @Test
    void unknownToken_is401_notForbidden() {
        assertThat(AdminCalls.of(router, "some-other-token-0123456789")
                        .get("/admin/v1/cells")
                        .statusCode())
                .isEqualTo(401);
        assertThat(AdminCalls.of(router, null).get("/admin/v1/whoami").statusCode())
                .isEqualTo(401);
    }
}
