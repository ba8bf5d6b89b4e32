package io.cellrouter.registry.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.PlacementPage;
import io.cellrouter.registry.store.PlacementQuery;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.testing.DynaliteExtension;
import io.cellrouter.registry.testing.WireProxy;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** What the listings cost at the wire on DynamoDB: one index Query per page, or a bounded scan without the index. */
class PlacementListingTest {

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private static final List<Cell> CELLS = List.of(
            new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE),
            new Cell("cell-2", URI.create("http://cell-2:8080"), CellState.ACTIVE));

    private static RegistryDocument customers(int onCell1, int onCell2, int nameLength) {
        Map<String, String> customers = new LinkedHashMap<>();
        for (int i = 0; i < onCell1 + onCell2; i++) {
            String id = String.format("c%06d", i) + "-" + "x".repeat(nameLength);
            customers.put(id, i < onCell1 ? "cell-1" : "cell-2");
        }
        return new RegistryDocument(CELLS, customers, List.of(), Map.of());
    }

    @Test
    void placementPage_byCell_isOneQueryOfTheCellIndexPerPage() throws Exception {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, customers(2_500, 1_000, 1));
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store =
                        DynamoDbRegistryStore.open(settings.withEndpoint(wire.endpoint()), Clock.systemUTC())) {
            wire.resetCounts();

            List<String> seen = new ArrayList<>();
            List<Long> queriesPerPage = new ArrayList<>();
            PlacementQuery query = new PlacementQuery("cell-1", "", 1000, null);
            PlacementPage page;
            do {
                long before = wire.totalCalls();
                page = store.placementPage(query).join();
                queriesPerPage.add(wire.totalCalls() - before);
                page.placements().forEach(p -> seen.add(p.customer()));
                query = query.withCursor(page.next());
            } while (page.next() != null);

            assertThat(seen).hasSize(2_500).isSorted().doesNotHaveDuplicates();
            assertThat(queriesPerPage).containsExactly(1L, 1L, 1L);
            assertThat(wire.calls("Query")).isEqualTo(3);
            assertThat(wire.calls("Scan")).isZero();
        }
    }

    @Test
    void countPlacements_cellLargerThanOneResultPage_countsEveryCustomer() throws Exception {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        // Long ids: the index entries of cell-1 are about 2 MB, more than one 1 MB result page.
        Tables.createAndLoad(settings, customers(12_000, 10, 140));
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store =
                        DynamoDbRegistryStore.open(settings.withEndpoint(wire.endpoint()), Clock.systemUTC())) {
            wire.resetCounts();

            assertThat(store.countPlacements("cell-1").join()).isEqualTo(12_000L);
            assertThat(store.countPlacements("cell-2").join()).isEqualTo(10L);
            assertThat(wire.calls("Query")).isBetween(3L, 6L);
            assertThat(wire.calls("Scan")).isZero();
        }
    }

    @Test
    void placementPage_tableWithoutTheCellIndex_fallsBackToABoundedScanWithTheSameAnswer() throws Exception {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        createTableWithoutIndex(settings);
        Tables.createAndLoad(settings, customers(300, 300, 1)); // create-table on it: dynalite cannot add the index
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store =
                        DynamoDbRegistryStore.open(settings.withEndpoint(wire.endpoint()), Clock.systemUTC())) {
            wire.resetCounts();

            List<String> seen = new ArrayList<>();
            PlacementQuery query = new PlacementQuery("cell-2", "", 100, null);
            PlacementPage page;
            int pages = 0;
            long maximumScansPerPage = 0;
            do {
                long before = wire.calls("Scan");
                page = store.placementPage(query).join();
                maximumScansPerPage = Math.max(maximumScansPerPage, wire.calls("Scan") - before);
                page.placements().forEach(p -> {
                    assertThat(p.cell()).isEqualTo("cell-2");
                    seen.add(p.customer());
                });
                query = query.withCursor(page.next());
                pages++;
            } while (page.next() != null && pages < 50);

            assertThat(seen).hasSize(300).doesNotHaveDuplicates();
            assertThat(maximumScansPerPage).isLessThanOrEqualTo(PlacementListing.MAXIMUM_SCAN_CALLS);
            assertThat(wire.calls("Query")).isEqualTo(1); // the index query that found no index, once
            assertThat(store.countPlacements("cell-1").join()).isEqualTo(300L);
        }
    }

    @Test
    void placementPage_everyCell_readsAtMostABoundedNumberOfItemsPerPage() throws Exception {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(settings, customers(1_500, 1_500, 1));
        try (WireProxy wire = WireProxy.to(DYNALITE.endpoint());
                RegistryStore store =
                        DynamoDbRegistryStore.open(settings.withEndpoint(wire.endpoint()), Clock.systemUTC())) {
            wire.resetCounts();

            PlacementPage first = store.placementPage(new PlacementQuery(null, "c0000", 50, null))
                    .join();

            assertThat(first.placements()).extracting(Placement::customer).allMatch(c -> c.startsWith("c0000"));
            assertThat(wire.calls("Scan")).isBetween(1L, (long) PlacementListing.MAXIMUM_SCAN_CALLS);
        }
    }

    private static void createTableWithoutIndex(DynamoDbSettings settings) {
        try (DynamoDbClients.Opened opened = DynamoDbClients.create(settings)) {
            DynamoDbAsyncClient client = opened.client();
            client.createTable(CreateTableRequest.builder()
                            .tableName(settings.table())
                            .attributeDefinitions(
                                    AttributeDefinition.builder()
                                            .attributeName(Items.PK)
                                            .attributeType(ScalarAttributeType.S)
                                            .build(),
                                    AttributeDefinition.builder()
                                            .attributeName(Items.SK)
                                            .attributeType(ScalarAttributeType.S)
                                            .build())
                            .keySchema(
                                    KeySchemaElement.builder()
                                            .attributeName(Items.PK)
                                            .keyType(KeyType.HASH)
                                            .build(),
                                    KeySchemaElement.builder()
                                            .attributeName(Items.SK)
                                            .keyType(KeyType.RANGE)
                                            .build())
                            .billingMode(BillingMode.PAY_PER_REQUEST)
                            .build())
                    .join();
        }
    }
}
