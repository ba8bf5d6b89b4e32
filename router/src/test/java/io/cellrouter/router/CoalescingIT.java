package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Concurrent misses for one customer make one registry read (README: How a request is routed). */
class CoalescingIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension("cache:\n  preload: false\n");

    @Test
    void concurrentFirstRequests_forOneUncachedCustomer_causeExactlyOneStoreRead() throws Exception {
        assertThat(placementReads()).isZero();
        int n = 200;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                go.await();
                                return router.get("globex", "/first").statusCode();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        pool));
            }
            go.countDown();
            for (CompletableFuture<Integer> result : results) {
                assertThat(result.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(placementReads()).isEqualTo(1);
        assertThat(router.cell("cell-2").requestCount()).isEqualTo(n);
    }

    private long placementReads() throws Exception {
        String metrics = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile(
                        "cellrouter_registry_latency_seconds_count\\{operation=\"placement\",result=\"ok\"} (\\d+)")
                .matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
