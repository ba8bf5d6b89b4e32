package io.cellrouter.registry.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.Change;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemsTest {

    private static final Instant AT = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void encode_shadowChange_readsAsAnOverrideOfNoCustomerToAnOlderRouter_andAsAShadowChangeToThisOne() {
        String encoded = Items.encode(Change.Kind.SHADOW, "acme");

        // What a release without shadows decodes: 'O', then a key that cannot name a customer.
        assertThat(encoded).isEqualTo("O:acme#shadow");
        List<Change> changes =
                Items.changes(Items.feedEntry(1, 42, List.of(encoded, Items.encode(Change.Kind.OVERRIDE, "acme")), AT));
        assertThat(changes)
                .extracting(Change::kind, Change::key)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.SHADOW, "acme"),
                        org.assertj.core.groups.Tuple.tuple(Change.Kind.OVERRIDE, "acme"));
    }

    @Test
    void shadowItem_roundTripsEveryField_andKeepsItsCellOutOfThePlacementIndexAttribute() {
        Shadow shadow = new Shadow("acme", "cell-2", 0.125, List.of("GET", "POST"), AT, "check cell-2");

        var item = Items.shadowItem(shadow, AT);

        assertThat(Items.shadow(item)).isEqualTo(shadow);
        assertThat(item).doesNotContainKey(Items.CELL);
        assertThat(item.get(Items.FRACTION).n()).isEqualTo("0.125");
    }
}
