package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.RouterExtension;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's reads and the partial cell update over real sockets, on the file store: customers
 * paged by cell and prefix, overrides, one cell with its count, PATCH versus PUT, 409 already_there
 * and this instance's live stats.
 */
class AdminListingsIT {

    private static final StringBuilder MANY = new StringBuilder();

    static {
        for (int i = 0; i < 250; i++) {
            MANY.append(String.format("  t%03d: %s%n", i, i % 5 == 0 ? "cell-2" : "cell-1"));
        }
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> "", MANY.toString());

    @RegisterExtension
    final AuditCapture audit = new AuditCapture();

    private AdminCalls admin() {
        return AdminCalls.of(router, RouterExtension.ADMIN_TOKEN);
    }

    @Test
    void customers_byCell_pagesThroughEveryCustomerOfTheCellOnce() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = admin().getJson("/admin/v1/customers?cell=cell-1&limit=100"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            page.get("customers").forEach(c -> {
                assertThat(c.get("cell").asText()).isEqualTo("cell-1");
                assertThat(c.get("version").asLong()).isEqualTo(1);
                seen.add(c.get("customer").asText());
            });
            cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
            pages++;
        } while (cursor != null);

        assertThat(seen).hasSize(202).doesNotHaveDuplicates().isSorted().contains("acme", "initech", "t001");
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void customers_prefixAndDefaultLimit_andAnActiveOverrideIsShown() {
        assertThat(admin().send(
                                "PUT",
                                "/admin/v1/overrides/t010",
                                "{\"freeze\":true,\"ttl\":\"10m\",\"reason\":\"copy\"}")
                        .statusCode())
                .isEqualTo(200);

        JsonNode page = admin().getJson("/admin/v1/customers?prefix=t01");
        JsonNode all = admin().getJson("/admin/v1/customers");

        assertThat(page.get("customers")).hasSize(10);
        assertThat(page.has("next")).isFalse();
        JsonNode t010 = page.get("customers").get(0);
        assertThat(t010.get("customer").asText()).isEqualTo("t010");
        assertThat(t010.get("override").get("freeze").asBoolean()).isTrue();
        assertThat(t010.get("override").get("reason").asText()).isEqualTo("copy");
        assertThat(page.get("customers").get(1).has("override")).isFalse();
        assertThat(all.get("customers")).hasSize(100); // the default limit
        assertThat(all.get("next").asText()).isNotEmpty();
    }

    @Test
    void customers_badParameters_are400_andAnUnknownCellIs404() {
        assertThat(admin().get("/admin/v1/customers?limit=1001").statusCode()).isEqualTo(400);
        assertThat(admin().get("/admin/v1/customers?limit=0").statusCode()).isEqualTo(400);
        assertThat(admin().get("/admin/v1/customers?limit=ten").statusCode()).isEqualTo(400);
        assertThat(admin().get("/admin/v1/customers?cursor=garbage").statusCode())
                .isEqualTo(400);
        assertThat(admin().get("/admin/v1/customers?sort=name").statusCode()).isEqualTo(400);
        assertThat(admin().get("/admin/v1/customers?cell=a&cell=b").statusCode())
                .isEqualTo(400);
        HttpResponse<String> unknown = admin().get("/admin/v1/customers?cell=cell-9");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("cell-9");
    }

    @Test
    void overrides_listsEveryActiveOverride_soonestExpiryFirst() {
        admin().send("PUT", "/admin/v1/overrides/t001", "{\"cell\":\"cell-2\",\"ttl\":\"1h\",\"reason\":\"canary\"}");
        admin().send("PUT", "/admin/v1/overrides/globex", "{\"freeze\":true,\"ttl\":\"5m\"}");

        JsonNode overrides = admin().getJson("/admin/v1/overrides").get("overrides");

        assertThat(overrides).hasSize(2);
        assertThat(overrides.get(0).get("customer").asText()).isEqualTo("globex");
        assertThat(overrides.get(0).get("freeze").asBoolean()).isTrue();
        assertThat(overrides.get(0).has("cell")).isFalse();
        assertThat(overrides.get(1).get("customer").asText()).isEqualTo("t001");
        assertThat(overrides.get(1).get("cell").asText()).isEqualTo("cell-2");
        assertThat(overrides.get(1).get("reason").asText()).isEqualTo("canary");
        assertThat(overrides.get(1).get("expiresAt").asText()).endsWith("Z");
    }

    @Test
    void cell_oneCell_withItsMetadataAndCustomerCount() {
        JsonNode cell = admin().getJson("/admin/v1/cells/cell-1");

        assertThat(cell.get("name").asText()).isEqualTo("cell-1");
        assertThat(cell.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(cell.get("tier").asText()).isEqualTo("prod");
        assertThat(cell.get("customerCount").asLong()).isEqualTo(202);
        assertThat(admin().getJson("/admin/v1/cells/cell-2")
                        .get("customerCount")
                        .asLong())
                .isEqualTo(51);
        assertThat(admin().get("/admin/v1/cells/cell-9").statusCode()).isEqualTo(404);
    }

    @Test
    void cellCount_isKeptAWhile_butThisRoutersOwnMoveCountsAgainAtOnce() throws Exception {
        JsonNode first = admin().getJson("/admin/v1/cells/cell-2");
        router.writeRegistry(java.nio.file.Files.readString(router.dir().resolve("registry.yaml"))
                .replace("t004: cell-1", "t004: cell-2")); // an edit behind this router's admin API
        await().atMost(Duration.ofSeconds(5)).until(() -> admin().getJson("/admin/v1/customers/t004")
                .get("cell")
                .asText()
                .equals("cell-2"));

        JsonNode cached = admin().getJson("/admin/v1/cells/cell-2");
        assertThat(cached.get("customerCount").asLong()).isEqualTo(51);
        assertThat(cached.get("countedAt").asText())
                .isEqualTo(first.get("countedAt").asText());

        assertThat(admin().send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-2\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(admin().getJson("/admin/v1/cells/cell-2")
                        .get("customerCount")
                        .asLong())
                .isEqualTo(53);
    }

    @Test
    void patchCell_stateOnly_keepsRegionTierAndLabels() {
        HttpResponse<String> patched = admin().send("PATCH", "/admin/v1/cells/cell-1", "{\"state\":\"draining\"}");

        assertThat(patched.statusCode()).isEqualTo(200);
        JsonNode cell = admin().getJson("/admin/v1/cells/cell-1");
        assertThat(cell.get("state").asText()).isEqualTo("draining");
        assertThat(cell.get("region").asText()).isEqualTo("eu-west-1");
        assertThat(cell.get("tier").asText()).isEqualTo("prod");
        assertThat(cell.get("endpoint").asText())
                .isEqualTo(router.cell("cell-1").endpoint());
        assertThat(audit.lines())
                .anyMatch(l -> l.contains("\"action\":\"patch_cell\"") && l.contains("\"result\":\"applied\""));
        // Routing follows: a draining cell takes no new placement.
        assertThat(admin().send("PUT", "/admin/v1/customers/newco", "{\"cell\":\"cell-1\"}")
                        .statusCode())
                .isEqualTo(422);
    }

    @Test
    void patchCell_nullRegionRemovesIt_labelsReplace_unknownCellIs404_emptyBodyIs400() {
        HttpResponse<String> patched =
                admin().send("PATCH", "/admin/v1/cells/cell-1", "{\"region\":null,\"labels\":{\"team\":\"payments\"}}");

        assertThat(patched.statusCode()).isEqualTo(200);
        JsonNode cell = AdminCalls.json(patched);
        assertThat(cell.has("region")).isFalse();
        assertThat(cell.get("tier").asText()).isEqualTo("prod");
        assertThat(cell.get("labels").get("team").asText()).isEqualTo("payments");
        assertThat(admin().send("PATCH", "/admin/v1/cells/cell-9", "{\"state\":\"offline\"}")
                        .statusCode())
                .isEqualTo(404);
        assertThat(admin().send("PATCH", "/admin/v1/cells/cell-1", "{}").statusCode())
                .isEqualTo(400);
        assertThat(admin().send("PATCH", "/admin/v1/cells/cell-1", "{\"endpoint\":\"ftp://x\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin().send("PATCH", "/admin/v1/cells/cell-1", "{\"state\":\"sleeping\"}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void putCell_isAWholeReplacement_omittedMetadataIsRemoved_asDocumented() {
        HttpResponse<String> put = admin().send(
                        "PUT",
                        "/admin/v1/cells/cell-1",
                        "{\"endpoint\":\"" + router.cell("cell-1").endpoint() + "\",\"state\":\"draining\"}");

        assertThat(put.statusCode()).isEqualTo(200);
        JsonNode cell = admin().getJson("/admin/v1/cells/cell-1");
        assertThat(cell.get("state").asText()).isEqualTo("draining");
        assertThat(cell.has("region")).isFalse();
        assertThat(cell.has("tier")).isFalse();
    }

    @Test
    void putAndPatchCell_withATierOutsideTheFour_is400NamingThem_andWritesNothing() {
        HttpResponse<String> put = admin().send(
                        "PUT",
                        "/admin/v1/cells/cell-1",
                        "{\"endpoint\":\"" + router.cell("cell-1").endpoint() + "\",\"tier\":\"gold\"}");
        HttpResponse<String> patch = admin().send("PATCH", "/admin/v1/cells/cell-1", "{\"tier\":\"staging\"}");
        HttpResponse<String> allowed = admin().send("PATCH", "/admin/v1/cells/cell-2", "{\"tier\":\"single-tenant\"}");

        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(AdminCalls.json(put).get("error").asText()).isEqualTo("bad_request");
        assertThat(AdminCalls.json(put).get("message").asText())
                .isEqualTo("tier must be one of prod, preprod, dev, single-tenant, was 'gold'");
        assertThat(patch.statusCode()).isEqualTo(400);
        assertThat(AdminCalls.json(patch).get("message").asText()).contains("prod, preprod, dev, single-tenant");
        assertThat(admin().getJson("/admin/v1/cells/cell-1").get("tier").asText())
                .isEqualTo("prod");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(AdminCalls.json(allowed).get("tier").asText()).isEqualTo("single-tenant");
    }

    @Test
    void move_toTheCellTheCustomerIsOn_is409AlreadyThere_andWritesNothing() {
        HttpResponse<String> move =
                admin().send("POST", "/admin/v1/customers/acme/move", "{\"toCell\":\"cell-1\",\"freezeFor\":\"1m\"}");
        HttpResponse<String> dry =
                admin().send("POST", "/admin/v1/customers/acme/move?dryRun=true", "{\"toCell\":\"cell-1\"}");

        assertThat(move.statusCode()).isEqualTo(409);
        assertThat(AdminCalls.json(move).get("error").asText()).isEqualTo("already_there");
        assertThat(dry.statusCode()).isEqualTo(409);
        JsonNode stored = admin().getJson("/admin/v1/customers/acme");
        assertThat(stored.get("version").asLong()).isEqualTo(1);
        assertThat(stored.get("override").isNull()).isTrue(); // no freeze was written
        assertThat(audit.lines())
                .filteredOn(l -> l.contains("\"action\":\"move\""))
                .singleElement()
                .satisfies(l -> assertThat(l).contains("\"result\":\"refused\"", "already_there"));
    }

    @Test
    void stats_liveTrafficPerCell_overTheLast10And60Seconds() throws Exception {
        for (int i = 0; i < 40; i++) {
            assertThat(router.get("acme", "/x").statusCode()).isEqualTo(200);
            assertThat(router.get("globex", "/x").statusCode()).isEqualTo(200);
        }
        router.stopCell("cell-2");
        for (int i = 0; i < 10; i++) {
            assertThat(router.get("globex", "/x").statusCode()).isEqualTo(502);
        }

        // Figures cover complete seconds: wait for the second of the last request to end.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode cells = admin().getJson("/admin/v1/stats").get("cells");
            JsonNode cell1 = find(cells, "cell-1");
            JsonNode cell2 = find(cells, "cell-2");
            assertThat(cell1.get("requests").asLong()).isEqualTo(40);
            assertThat(cell1.get("rps").asDouble()).isEqualTo(4.0);
            assertThat(cell1.get("errorRatio").asDouble()).isZero();
            assertThat(cell1.get("p99Ms").asDouble()).isPositive();
            assertThat(cell1.get("p50Ms").asDouble())
                    .isLessThanOrEqualTo(cell1.get("p99Ms").asDouble());
            assertThat(cell1.get("inFlight").asInt()).isZero();
            assertThat(cell1.get("last60s").get("requests").asLong()).isEqualTo(40);
            assertThat(cell1.get("requestsPerSecond")).hasSize(60);
            assertThat(cell2.get("requests").asLong()).isEqualTo(50);
            assertThat(cell2.get("errors").asLong()).isEqualTo(10);
            assertThat(cell2.get("errorRatio").asDouble()).isEqualTo(0.2);
        });
    }

    private static JsonNode find(JsonNode cells, String name) {
        for (JsonNode cell : cells) {
            if (cell.get("cell").asText().equals(name)) {
                return cell;
            }
        }
        throw new AssertionError("no " + name + " in " + cells);
    }
}
