package io.cellrouter.registry.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.testing.DynaliteExtension;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Expired overrides and shadows are deleted at the next write without transactions: a delete must
 * never take a newer item written since the partition was read (the store contract checks that
 * they go).
 */
class ExpiredItemsTest {

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void drop_anItemWrittenAgainSinceItWasRead_isKept_theOtherExpiredOneGoes() {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Tables.createAndLoad(
                settings,
                new RegistryDocument(
                        List.of(new Cell("cell-1", URI.create("http://cell-1:8080"), CellState.ACTIVE)),
                        Map.of(),
                        List.of(),
                        Map.of()));
        Instant expired = NOW.minusSeconds(3600);
        Tables.writeRaw(
                settings,
                List.of(
                        Items.overrideItem(RoutingOverride.freeze("acme", expired, "moving"), expired),
                        Items.overrideItem(RoutingOverride.freeze("globex", expired, "moving"), expired)));
        try (DynamoDbClients.Opened opened = DynamoDbClients.create(settings)) {
            String table = settings.table();
            List<Map<String, AttributeValue>> read = Queries.all(opened.client(), table, Items.OVERRIDES_PK, "test")
                    .join();
            RoutingOverride renewed = RoutingOverride.freeze("acme", NOW.plusSeconds(3600), "moving again");
            Tables.writeRaw(settings, List.of(Items.overrideItem(renewed, NOW)));

            new ExpiredItems(opened.client(), table, Items.OVERRIDES_PK, CLOCK)
                    .drop(read)
                    .join();

            assertThat(Queries.all(opened.client(), table, Items.OVERRIDES_PK, "test").join().stream()
                            .map(Items::override)
                            .toList())
                    .containsExactly(renewed);
        }
    }
}
