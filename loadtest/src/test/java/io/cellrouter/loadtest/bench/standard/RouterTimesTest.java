package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.router.metrics.RouterMetrics;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The router's own view of a run, read from two scrapes of the router's real meters. */
class RouterTimesTest {

    private static final Cell CELL_1 = new Cell("cell-1", URI.create("http://127.0.0.1:1"), CellState.ACTIVE);
    private static final Cell CELL_2 = new Cell("cell-2", URI.create("http://127.0.0.1:2"), CellState.ACTIVE);

    private static void request(RouterMetrics metrics, Cell cell, long routerMicros, long cellMicros) {
        metrics.requestCompleted(
                cell,
                "http1",
                "2xx",
                TimeUnit.MICROSECONDS.toNanos(routerMicros + cellMicros + 20),
                TimeUnit.MICROSECONDS.toNanos(routerMicros),
                TimeUnit.MICROSECONDS.toNanos(cellMicros));
    }

    @Test
    void onlyTheRequestsBetweenTheScrapes_count_overEveryCell() {
        RouterMetrics metrics = new RouterMetrics();
        for (int i = 0; i < 100; i++) {
            request(metrics, CELL_1, 5_000, 900_000); // before the run: slow, must not count
        }
        String before = metrics.scrape();
        for (int i = 0; i < 98; i++) {
            request(metrics, i % 2 == 0 ? CELL_1 : CELL_2, 20, 500);
        }
        request(metrics, CELL_2, 20, 4_000);
        request(metrics, CELL_1, 20, 4_000);

        RouterTimes times = RouterTimes.between(before, metrics.scrape(), false);

        assertThat(times.cell().count()).isEqualTo(100);
        assertThat(times.cell().p50Micros()).isBetween(500L, 600L);
        assertThat(times.cell().p99Micros()).isBetween(4_000L, 4_500L);
        assertThat(times.beforeCell().p99Micros()).isBetween(20L, 25L);
        assertThat(times.total().count()).isEqualTo(100);
        assertThat(times.total().p99Micros()).isBetween(4_040L, 4_600L);
    }

    @Test
    void noRequests_noFigures() {
        RouterMetrics metrics = new RouterMetrics();
        String scrape = metrics.scrape();

        RouterTimes times = RouterTimes.between(scrape, scrape, false);

        assertThat(times.total().count()).isZero();
        assertThat(times.cell().p99Micros()).isEqualTo(-1);
        assertThat(times.toMap()).containsKeys("total", "before_cell", "cell");
    }
}
