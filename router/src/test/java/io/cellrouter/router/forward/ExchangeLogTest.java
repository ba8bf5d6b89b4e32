package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.transport.ClientAddress;
import java.net.URI;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The count of requests under way at a cell, as exchanges leave for it and end. */
class ExchangeLogTest {

    private final RouterMetrics metrics = new RouterMetrics();
    private final ExchangeRecorder recorder = new ExchangeRecorder(metrics, null, Clock.systemUTC());
    private final Cell cell = new Cell("cell-1", URI.create("h2c://127.0.0.1:1"), CellState.ACTIVE);
    private final ExchangeLog log = new ExchangeLog(new ClientAddress("10.0.0.1", false), "http1");

    @Test
    void forwardedThenEnded_countsAndUncounts() {
        log.start(0, "GET", "/");
        log.cell = cell;

        log.forwarded(10, metrics);
        assertThat(metrics.cellRequestsActive(cell).get()).isEqualTo(1);
        log.end(recorder, "bad_gateway", null, 20);

        assertThat(metrics.cellRequestsActive(cell).get()).isZero();
    }

    /** A head that failed as it was written ends the exchange before the request counts as gone. */
    @Test
    void forwardedAfterTheEnd_isNotCounted() {
        log.start(0, "GET", "/");
        log.cell = cell;
        log.end(recorder, "cell_unreachable", null, 20);

        log.forwarded(30, metrics);

        assertThat(metrics.cellRequestsActive(cell).get()).isZero();
    }

    @Test
    void nextExchangeOnTheConnection_countsAgain() {
        log.start(0, "GET", "/");
        log.cell = cell;
        log.end(recorder, null, null, 20);

        log.start(30, "GET", "/next");
        log.cell = cell;
        log.forwarded(40, metrics);

        assertThat(metrics.cellRequestsActive(cell).get()).isEqualTo(1);
    }
}
