package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Placement;
import org.junit.jupiter.api.Test;

/** Which cached entries count as stale when served: only those whose last refresh failed. */
class CachedPlacementTest {

    private final CachedPlacement read =
            CachedPlacement.loaded(new Placement("acme", "cell-1", 1, java.time.Instant.EPOCH), 100);

    @Test
    void freshlyRead_isNotStale() {
        assertThat(read.stale()).isFalse();
    }

    @Test
    void afterAFailedRefresh_isStale() {
        assertThat(read.refreshFailed(200).stale()).isTrue();
    }

    @Test
    void madeDueByAFeedGap_isNotStale_unlessItsRefreshHadFailed() {
        assertThat(read.dueFrom(150).stale()).isFalse();
        assertThat(read.refreshFailed(200).dueFrom(250).stale()).isTrue();
        assertThat(read.refreshFailed(200).dueFrom(250).refreshFrom()).isEqualTo(250);
    }
}
