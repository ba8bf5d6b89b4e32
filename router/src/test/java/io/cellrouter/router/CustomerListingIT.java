package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import io.cellrouter.registry.store.dynamodb.Tables;
import io.cellrouter.registry.testing.Dynalite;
import io.cellrouter.registry.testing.WireProxy;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.testing.AdminCalls;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every customer of one cell through {@code GET /admin/v1/customers?cell=...} on the DynamoDB store
 * (dynalite behind a counting pass-through): each page costs exactly two store calls at the wire
 * (one Query of the cell index, one Query of the overrides; the first page one more, to check that
 * the cell exists), however many customers the table holds. The size is {@code -Dlisting.customers=N} (default 5,000; the README's figures are for
 * 100,000); time is printed, never asserted.
 */
class CustomerListingIT {

    private static final int CUSTOMERS = Integer.getInteger("listing.customers", 5_000);
    private static final int OTHER_CELL = Math.max(100, CUSTOMERS / 10);

    @TempDir
    Path dir;

    private Dynalite dynalite;
    private WireProxy wire;
    private RouterServer router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        if (wire != null) {
            wire.close();
        }
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @Test
    void everyCustomerOfACell_inPagesOf1000_twoStoreCallsPerPage() throws Exception {
        dynalite = Dynalite.startInMemory();
        wire = WireProxy.to(dynalite.endpoint());
        DynamoDbSettings table = Tables.settings(dynalite.endpoint(), Tables.newName());
        Map<String, String> customers = new LinkedHashMap<>();
        for (int i = 0; i < CUSTOMERS + OTHER_CELL; i++) {
            customers.put(String.format("customer-%07d", i), i < CUSTOMERS ? "cell-1" : "cell-2");
        }
        long loadStart = System.nanoTime();
        Tables.createAndLoad(
                table,
                new RegistryDocument(
                        List.of(
                                new Cell("cell-1", URI.create("http://127.0.0.1:1"), CellState.ACTIVE),
                                new Cell("cell-2", URI.create("http://127.0.0.1:2"), CellState.ACTIVE)),
                        customers,
                        List.of(RoutingOverride.freeze(
                                "customer-0000007", Instant.now().plusSeconds(3600), "copy")),
                        Map.of()));
        System.out.printf(
                "CustomerListingIT: loaded %,d placements into dynalite in %,d ms%n",
                customers.size(), (System.nanoTime() - loadStart) / 1_000_000);
        startRouter(table);
        AdminCalls admin = new AdminCalls(
                path -> URI.create("http://127.0.0.1:" + router.adminAddress().getPort() + path), null);

        wire.resetCounts();
        List<Long> callsPerPage = new ArrayList<>();
        List<String> seen = new ArrayList<>(CUSTOMERS);
        String cursor = null;
        long start = System.nanoTime();
        do {
            long before = wire.totalCalls();
            JsonNode page = admin.getJson("/admin/v1/customers?cell=cell-1&limit=1000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
            callsPerPage.add(wire.totalCalls() - before);
            page.get("customers").forEach(c -> seen.add(c.get("customer").asText()));
            if (seen.size() == 8) {
                assertThat(page.get("customers")
                                .get(7)
                                .get("override")
                                .get("freeze")
                                .asBoolean())
                        .isTrue();
            }
            cursor = page.hasNonNull("next") ? page.get("next").asText() : null;
        } while (cursor != null);
        long took = (System.nanoTime() - start) / 1_000_000;

        System.out.printf(
                "CustomerListingIT: listed %,d customers of cell-1 (of %,d) in %d pages in %,d ms"
                        + " (%.1f ms a page); store calls per page %s; at the wire: %s%n",
                seen.size(),
                customers.size(),
                callsPerPage.size(),
                took,
                (double) took / callsPerPage.size(),
                callsPerPage.stream().distinct().toList(),
                wire.callsByOperation());
        assertThat(seen).hasSize(CUSTOMERS).doesNotHaveDuplicates().isSorted();
        // The first page also checks that the cell exists (one Query of the cells).
        assertThat(callsPerPage).hasSize((CUSTOMERS + 999) / 1000).startsWith(3L);
        assertThat(callsPerPage.subList(1, callsPerPage.size())).containsOnly(2L);
        assertThat(wire.calls("Scan")).isZero();
        assertThat(wire.calls("Query")).isEqualTo(2L * callsPerPage.size() + 1);

        wire.resetCounts();
        long countStart = System.nanoTime();
        assertThat(admin.getJson("/admin/v1/cells/cell-1").get("customerCount").asLong())
                .isEqualTo(CUSTOMERS);
        System.out.printf(
                "CustomerListingIT: counted the %,d customers of cell-1 in %,d ms with %s%n",
                CUSTOMERS, (System.nanoTime() - countStart) / 1_000_000, wire.callsByOperation());
    }

    private void startRouter(DynamoDbSettings table) throws Exception {
        // No preload, and a feed poll far apart: the wire then carries only what the listing asks.
        String yaml =
                """
                proxy:
                  listen: 127.0.0.1:0
                admin:
                  listen: 127.0.0.1:0
                registry:
                  dynamodb:
                    table: %s
                    endpoint: %s
                cache:
                  preload: false
                overrides:
                  pollInterval: 1h
                accessLog:
                  enabled: false
                """
                        .formatted(table.table(), wire.endpoint());
        router = RouterServer.start(ConfigLoader.parse(yaml, "config.yaml", dir, System::getenv), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(30)).until(router::ready);
    }
}
