package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bound on a miss's wait for the freeze guard ({@link SettleDeadline}), through the resolver. */
class SettleDeadlineTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The follower's polls are never due within a test: tests poll by hand. */
    private static final ResolverConfig CONFIG =
            ResolverConfig.defaults().withPollInterval(Duration.ofHours(1)).withPreload(false);

    @TempDir
    Path directory;

    private final FakeTicker ticker = new FakeTicker();
    private final MutableClock clock = new MutableClock(START);
    private final ManualScheduler scheduler = new ManualScheduler();
    private FileRegistryStore files;
    private CountingStore store;
    private CachingResolver resolver;

    @BeforeEach
    void openRegistry() throws IOException {
        files = TestRegistries.open(directory, TestRegistries.oneCell(), clock);
        store = new CountingStore(files);
        resolver = CachingResolver.builder()
                .store(store)
                .config(CONFIG)
                .clock(clock)
                .ticker(ticker)
                .scheduler(scheduler)
                .buildCaching();
        join(resolver.start());
    }

    @AfterEach
    void closeEverything() {
        resolver.close();
        scheduler.shutdownNow();
        files.close();
    }

    /**
     * The poll ahead of the guard's read of the overrides hangs (its own read of the overrides does
     * not answer): a miss on a placement written moments ago answers registry_unavailable once
     * SettleDeadline.MAX_WAIT has passed, not when the poll ends; nothing is cached, and once the
     * poll ends the customer routes.
     */
    @Test
    void resolve_missOnARecentPlacementWhileThePollAheadHangs_isUnavailableAfterTheMaximumWait() {
        CompletableFuture<Void> gate = store.holdOverridesReads();
        join(files.putOverride(RoutingOverride.toCell("acme", "cell-1", START.plus(Duration.ofHours(1)), "pin")));
        store.resetCounts();
        CompletableFuture<Void> poll = resolver.catchUp(); // re-reads the overrides: held
        await().atMost(WAIT).until(() -> store.calls("overrides") == 1);
        join(files.putPlacement("newco", "cell-1", 0));

        CompletableFuture<Resolution> miss = resolver.resolve("newco", "cell-1");
        await().atMost(WAIT).until(() -> store.calls("placement") == 1);
        scheduler.advance(SettleDeadline.MAX_WAIT.minusNanos(1));
        assertThat(miss).as("still within the maximum wait").isNotDone();
        scheduler.advance(Duration.ofNanos(1));

        assertThat(miss)
                .as("answered at the maximum wait, the poll still hanging")
                .isDone();
        assertThat(poll).isNotDone();
        Resolution resolution = join(miss);
        assertThat(resolution.outcome()).isEqualTo(Outcome.REGISTRY_UNAVAILABLE);
        assertThat(resolution.retryAfter()).isEqualTo(CONFIG.retryAfter());
        assertThat(resolver.health().storeDown()).isFalse();
        assertThat(resolver.cacheAge("newco")).as("nothing cached").isEmpty();

        gate.complete(null);
        join(poll);
        store.resetCounts();
        Resolution after = join(resolver.resolve("newco", null));
        assertThat(after.outcome()).isEqualTo(Outcome.ROUTE);
        assertThat(after.source()).isEqualTo(Source.REGISTRY);
        assertThat(store.calls("placement"))
                .as("read again: the failure was not cached")
                .isEqualTo(1);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer within 10s", e);
        }
    }
}
