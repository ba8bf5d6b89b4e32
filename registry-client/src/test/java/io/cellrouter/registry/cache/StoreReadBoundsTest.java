package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import org.junit.jupiter.api.Test;

/**
 * The resolver's bounds on concurrent store reads, each kind its own, fit in the DynamoDB client's
 * default connection pool with room for the feed: when every kind is at its bound at once (a cold
 * start without preload, a refresh wave, a large feed batch, a cell disowning its customers), the
 * change feed's poll and the table reads that go with it still find a connection instead of
 * timing out behind them, which would mark the store down for every customer.
 */
class StoreReadBoundsTest {

    /** The feed's poll, then cells, overrides and shadows read at once after a gap; the preload's segments. */
    private static final int FEED_READS = 1 + 3;

    @Test
    void everyBoundAtOnce_leavesConnectionsForTheFeed() {
        DynamoDbSettings defaults = DynamoDbSettings.of("registry");
        int bounded = MissReads.MAX_IN_FLIGHT
                + EntryRefresher.MAX_REFRESHES_IN_FLIGHT
                + PlacementRereads.MAX_IN_FLIGHT
                + EntryRefresher.MAX_REREADS_IN_FLIGHT;

        assertThat(defaults.maxConnections()).isEqualTo(DynamoDbSettings.DEFAULT_MAX_CONNECTIONS);
        assertThat(bounded + FEED_READS + defaults.scanSegments()).isLessThanOrEqualTo(defaults.maxConnections());
    }
}
