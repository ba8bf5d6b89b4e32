package io.cellrouter.router.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BulkheadsTest {

    private final AtomicLong now = new AtomicLong();
    private final Cell a = new Cell("cell-a", URI.create("http://127.0.0.1:1"), CellState.ACTIVE);
    private final Cell b = new Cell("cell-b", URI.create("http://127.0.0.1:2"), CellState.ACTIVE);

    private Bulkheads bulkheads(int perCell, int perCustomer, double rate) {
        return new Bulkheads(
                new RouterConfig.Limits(
                        100,
                        1000,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ZERO,
                        perCell,
                        8,
                        perCustomer,
                        rate,
                        100),
                now::get);
    }

    private static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RouterException e) {
            return e.code();
        }
    }

    @Test
    void fullCell_refusesWithCellOverloaded_andOtherCellsAreUntouched() {
        Bulkheads bulkheads = bulkheads(2, 100, 0);
        bulkheads.admit("c1", a);
        bulkheads.admit("c2", a);

        assertThat(codeOf(() -> bulkheads.admit("c3", a))).isEqualTo(ErrorCode.CELL_OVERLOADED);
        assertThat(codeOf(() -> bulkheads.admit("c3", b))).isNull();
        assertThat(bulkheads.inFlight("cell-a")).isEqualTo(2);
    }

    @Test
    void release_freesTheSlot_once() {
        Bulkheads bulkheads = bulkheads(1, 100, 0);
        Bulkheads.Permit permit = bulkheads.admit("c1", a);

        permit.release();
        permit.release();

        assertThat(bulkheads.inFlight("cell-a")).isZero();
        assertThat(codeOf(() -> bulkheads.admit("c1", a))).isNull();
    }

    @Test
    void customerCounters_leaveTheMap_whenTheirLastRequestEnds_refusalsIncluded() {
        Bulkheads bulkheads = bulkheads(100, 2, 0);
        Bulkheads.Permit first = bulkheads.admit("c1", a);
        Bulkheads.Permit second = bulkheads.admit("c1", a);
        Bulkheads.Permit other = bulkheads.admit("c2", a);
        assertThat(codeOf(() -> bulkheads.admit("c1", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(bulkheads.customersInFlight()).isEqualTo(2);

        first.release();
        other.release();
        assertThat(bulkheads.customersInFlight()).isEqualTo(1);
        assertThat(codeOf(() -> bulkheads.admit("c1", a).release())).isNull();

        second.release();
        assertThat(bulkheads.customersInFlight()).isZero();
        assertThat(bulkheads.inFlight("cell-a")).isZero();
    }

    @Test
    void customerOverItsConcurrency_isRateLimited_withoutHoldingACellSlot() {
        Bulkheads bulkheads = bulkheads(100, 2, 0);
        bulkheads.admit("greedy", a);
        bulkheads.admit("greedy", a);

        assertThatThrownBy(() -> bulkheads.admit("greedy", a))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED));
        assertThat(bulkheads.inFlight("cell-a")).isEqualTo(2);
        assertThat(codeOf(() -> bulkheads.admit("polite", a))).isNull();
    }

    @Test
    void customerRate_allowsItsBurst_thenRefills() {
        Bulkheads bulkheads = bulkheads(100, 100, 5);
        for (int i = 0; i < 5; i++) {
            bulkheads.admit("c", a).release();
        }

        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        now.addAndGet(200_000_000L); // 0.2 s at 5/s: one token
        assertThat(codeOf(() -> bulkheads.admit("c", a).release())).isNull();
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    @Test
    void customerRate_belowOne_admitsOneRequestPerPeriod() {
        Bulkheads bulkheads = bulkheads(100, 100, 0.5);

        assertThat(codeOf(() -> bulkheads.admit("c", a).release())).isNull();
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        now.addAndGet(1_000_000_000L); // 1 s at 0.5/s: half a token
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        now.addAndGet(1_000_000_000L); // 2 s in all: one token
        assertThat(codeOf(() -> bulkheads.admit("c", a).release())).isNull();
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        now.addAndGet(60_000_000_000L); // a long pause still banks one request, not thirty
        assertThat(codeOf(() -> bulkheads.admit("c", a).release())).isNull();
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    /** Below one request a minute too: an idle customer's bucket is kept until it would be full again. */
    @Test
    void customerRate_belowOneAMinute_aBucketIdleForAMinuteIsNotForgotten() {
        Bulkheads bulkheads = bulkheads(100, 100, 0.01); // one request every 100 s

        assertThat(codeOf(() -> bulkheads.admit("c", a).release())).isNull();
        now.addAndGet(61_000_000_000L);
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        now.addAndGet(39_000_000_000L); // 100 s in all
        assertThat(codeOf(() -> bulkheads.admit("c", a).release())).isNull();
    }

    /** A misroute correction moves the request's permit: no second count, no second rate token. */
    @Test
    void moveTo_carriesTheCustomersCountAndRateToken_overTheNewCellsBulkhead() {
        Bulkheads bulkheads = bulkheads(1, 1, 1);
        Bulkheads.Permit first = bulkheads.admit("c", a);

        Bulkheads.Permit moved = first.moveTo(b);

        assertThat(bulkheads.inFlight("cell-a")).isZero();
        assertThat(bulkheads.inFlight("cell-b")).isEqualTo(1);
        assertThat(bulkheads.customersInFlight()).isEqualTo(1);
        first.release(); // spent by the move: frees nothing more
        assertThat(bulkheads.inFlight("cell-b")).isEqualTo(1);
        assertThat(codeOf(() -> bulkheads.admit("c", a))).isEqualTo(ErrorCode.RATE_LIMITED);
        moved.release();
        assertThat(bulkheads.customersInFlight()).isZero();
        assertThat(bulkheads.inFlight("cell-b")).isZero();
    }

    @Test
    void moveTo_aFullCell_isCellOverloaded_andThePermitStaysWhereItWas() {
        Bulkheads bulkheads = bulkheads(1, 100, 0);
        Bulkheads.Permit held = bulkheads.admit("c", a);
        bulkheads.admit("other", b);

        assertThat(codeOf(() -> held.moveTo(b))).isEqualTo(ErrorCode.CELL_OVERLOADED);
        assertThat(bulkheads.inFlight("cell-a")).isEqualTo(1);
        held.release();
        assertThat(bulkheads.inFlight("cell-a")).isZero();
        assertThat(bulkheads.customersInFlight()).isEqualTo(1); // "other" alone
    }
}
