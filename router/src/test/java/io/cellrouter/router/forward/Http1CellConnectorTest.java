package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Getting an exchange its cell side, with the cell sides handed out by the test. */
class Http1CellConnectorTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Object> events = new ArrayList<>();
    private boolean connecting = true;
    private final List<Promise<CellLeg>> acquisitions = new ArrayList<>();
    private final List<Boolean> upgrades = new ArrayList<>();

    private final Http1CellConnector connector = new Http1CellConnector(
            new Http1CellConnector.Exchange() {
                @Override
                public boolean connecting() {
                    return connecting;
                }

                @Override
                public void connected(CellLeg leg) {
                    events.add(leg);
                }

                @Override
                public void fail(RouterException error) {
                    events.add(error);
                }
            },
            (cell, loop, answer, upgrade) -> {
                Promise<CellLeg> promise = loop.newPromise();
                acquisitions.add(promise);
                upgrades.add(upgrade);
                return promise;
            },
            channel.eventLoop());

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private Promise<CellLeg> connect(boolean upgrade) {
        connector.connect(Http1Fixture.CELL_A, null, upgrade);
        return acquisitions.get(acquisitions.size() - 1);
    }

    @Test
    void aCellSideReadyLater_isHandedToTheExchange_andHeld() {
        Promise<CellLeg> acquiring = connect(false);
        assertThat(events).isEmpty();

        FakeCellLeg leg = new FakeCellLeg();
        acquiring.setSuccess(leg);

        assertThat(events).containsExactly(leg);
        assertThat(connector.leg()).isSameAs(leg);
        assertThat(upgrades).containsExactly(false);
    }

    @Test
    void aCellSideReadyAtOnce_isHandedToTheExchangeAtOnce() {
        FakeCellLeg leg = new FakeCellLeg();

        connector.await(channel.eventLoop().newSucceededFuture(leg));

        assertThat(events).containsExactly(leg);
    }

    @Test
    void aWebSocketHandshake_asksForAConnectionOfItsOwn() {
        connect(true);

        assertThat(upgrades).containsExactly(true);
    }

    @Test
    void aConnectTimeout_isCellUnreachable() {
        connect(false).setFailure(new ConnectTimeoutException("connection timed out: /127.0.0.1:1"));

        assertThat(events).singleElement().isInstanceOfSatisfying(RouterException.class, error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.CELL_UNREACHABLE);
            assertThat(error.getMessage()).isEqualTo("cell cell-a is unreachable");
            assertThat(error.detail()).isEqualTo("connect timed out");
        });
        assertThat(connector.leg()).isNull();
    }

    @Test
    void anyOtherConnectFailure_isCellUnreachable_withItsCause() {
        connect(false).setFailure(new IOException("Connection refused"));

        assertThat(events).singleElement().isInstanceOfSatisfying(RouterException.class, error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.CELL_UNREACHABLE);
            assertThat(error.detail()).isEqualTo("Connection refused");
        });
    }

    @Test
    void thePoolsOwnRefusal_isAnsweredAsItIs() {
        RouterException overloaded = new RouterException(ErrorCode.CELL_OVERLOADED, "too many connects");

        connect(false).setFailure(overloaded);

        assertThat(events).containsExactly(overloaded);
    }

    @Test
    void aCellSideReadyAfterTheExchangeStoppedWaiting_isFinishedUnused() {
        Promise<CellLeg> acquiring = connect(false);
        connecting = false; // e.g. the client went away

        FakeCellLeg leg = new FakeCellLeg();
        acquiring.setSuccess(leg);

        assertThat(events).isEmpty();
        assertThat(leg.finishedReusable).isTrue();
        assertThat(connector.leg()).isNull();
    }

    @Test
    void theHeldCellSide_isFinishedAbandonedOrTakenOnce() {
        FakeCellLeg first = new FakeCellLeg();
        connector.await(channel.eventLoop().newSucceededFuture(first));
        connector.finish(false);
        connector.finish(true);
        assertThat(first.finishedReusable).isFalse();
        assertThat(connector.leg()).isNull();

        FakeCellLeg second = new FakeCellLeg();
        connector.await(channel.eventLoop().newSucceededFuture(second));
        connector.readAnswer(false);
        connector.flush();
        connector.abandon();
        connector.abandon();
        assertThat(second.readingAnswer).isFalse();
        assertThat(second.flushes).isEqualTo(1);
        assertThat(second.abandoned).isTrue();

        FakeCellLeg third = new FakeCellLeg();
        connector.await(channel.eventLoop().newSucceededFuture(third));
        assertThat(connector.take()).isSameAs(third);
        connector.abandon();
        assertThat(third.abandoned).as("taken: no longer this connector's").isFalse();
    }

    @Test
    void closedBeforeAnswer_isCellUnreachable() {
        RouterException error = Http1CellConnector.closedBeforeAnswer(Http1Fixture.CELL_A, "reset by peer");

        assertThat(error.code()).isEqualTo(ErrorCode.CELL_UNREACHABLE);
        assertThat(error.getMessage()).isEqualTo("cell cell-a closed the connection before responding");
        assertThat(error.detail()).isEqualTo("reset by peer");
    }
}
