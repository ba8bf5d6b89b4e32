package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CellErrorsTest {

    private final Cell cell = new Cell("cell-a", URI.create("http://127.0.0.1:1"), CellState.ACTIVE);

    @Test
    void unreachable_poolsOwnRefusal_passesAsItIs() {
        RouterException overloaded = new RouterException(ErrorCode.CELL_OVERLOADED, "cell cell-a is overloaded");

        assertThat(CellErrors.unreachable(cell, overloaded)).isSameAs(overloaded);
    }

    @Test
    void unreachable_connectTimeout_saysSoInTheDetail() {
        RouterException error = CellErrors.unreachable(cell, new ConnectTimeoutException("after 1000 ms"));

        assertThat(error.code()).isEqualTo(ErrorCode.CELL_UNREACHABLE);
        assertThat(error.getMessage()).isEqualTo("cell cell-a is unreachable");
        assertThat(error.detail()).isEqualTo("connect timed out");
    }

    @Test
    void unreachable_otherCause_isInTheDetailOnly() {
        RouterException error = CellErrors.unreachable(cell, new IOException("connection refused"));

        assertThat(error.getMessage()).isEqualTo("cell cell-a is unreachable");
        assertThat(error.detail()).isEqualTo("connection refused");
    }

    @Test
    void closedEarly_isUnreachable_withWhy() {
        RouterException error = CellErrors.closedEarly(cell, "cell reset the stream (CANCEL)");

        assertThat(error.code()).isEqualTo(ErrorCode.CELL_UNREACHABLE);
        assertThat(error.getMessage()).isEqualTo("cell cell-a closed the stream before responding");
        assertThat(error.detail()).isEqualTo("cell reset the stream (CANCEL)");
    }

    @Test
    void badResponse_isBadCellResponse_withWhy() {
        RouterException error = CellErrors.badResponse(cell, "DATA before the response head");

        assertThat(error.code()).isEqualTo(ErrorCode.BAD_CELL_RESPONSE);
        assertThat(error.getMessage()).isEqualTo("cell cell-a sent an invalid response");
        assertThat(error.detail()).isEqualTo("DATA before the response head");
    }

    @Test
    void timedOut_namesTheTimeout() {
        RouterException error = CellErrors.timedOut(cell, Duration.ofSeconds(30));

        assertThat(error.code()).isEqualTo(ErrorCode.CELL_TIMEOUT);
        assertThat(error.getMessage()).isEqualTo("cell cell-a did not answer within 30000 ms");
        assertThat(error.detail())
                .as("the access log says which timer decided")
                .isEqualTo("proxy.upstream.responseTimeout ran out before the cell's response head");
    }

    @Test
    void requestStalled_isTheClientsTimeout_andTheLogSaysWhichTimerDecided() {
        RouterException error = CellErrors.requestStalled(Duration.ofSeconds(30));

        assertThat(error.code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT);
        assertThat(error.getMessage()).isEqualTo("the client sent nothing more of its request body for 30000 ms");
        assertThat(error.detail())
                .isEqualTo("proxy.upstream.responseTimeout ran out while the cell waited for the request body");
    }
}
