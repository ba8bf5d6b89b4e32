package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One exchange's side of a misroute correction: it speaks for that exchange only. */
class Http1MisrouteCorrectionTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ExchangeLog log = new ExchangeLog(ClientAddress.of(channel), "http1");
    private final Http1MoveTracker moves = new Http1MoveTracker(
            () -> {},
            log,
            new Http1KeepAlive(new DrainState(), Duration.ZERO, channel.eventLoop()),
            new CustomerExchanges(),
            channel.eventLoop());

    private boolean routing = true;
    private boolean correctable = true;
    private final List<Cell> correctedTo = new ArrayList<>();
    private final List<RouterException> failures = new ArrayList<>();
    private final Http1MisrouteCorrection.Exchange exchange = new Http1MisrouteCorrection.Exchange() {
        @Override
        public boolean routing() {
            return routing;
        }

        @Override
        public boolean correctable() {
            return correctable;
        }

        @Override
        public Bulkheads.Permit permit() {
            return null;
        }

        @Override
        public void correctTo(Cell cell, Bulkheads.Permit permit) {
            correctedTo.add(cell);
        }

        @Override
        public void fail(RouterException error) {
            failures.add(error);
        }
    };

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void track() {
        log.identity = new Identity("acme", null, "header");
        log.cell = Http1Fixture.CELL_A;
        moves.track();
    }

    @Test
    void waiting_whileItsExchangeWaitsForTheDecision() {
        track();
        Http1MisrouteCorrection correction = new Http1MisrouteCorrection(exchange, moves);

        assertThat(correction.waiting()).isTrue();

        routing = false; // e.g. forwarding again, or answered by the router
        assertThat(correction.waiting()).isFalse();
    }

    @Test
    void notWaiting_onceItsExchangeEnded_evenWhenTheNextOneRoutes() {
        track();
        Http1MisrouteCorrection correction = new Http1MisrouteCorrection(exchange, moves);

        moves.untrack();
        assertThat(correction.waiting()).as("ended").isFalse();

        track(); // the connection's next exchange
        assertThat(correction.waiting()).as("the next exchange").isFalse();
        assertThat(new Http1MisrouteCorrection(exchange, moves).waiting()).isTrue();
    }

    @Test
    void theDecision_goesToTheExchange() {
        track();
        Http1MisrouteCorrection correction = new Http1MisrouteCorrection(exchange, moves);
        correctable = false;
        assertThat(correction.correctable()).isFalse();

        correction.correctTo(Http1Fixture.CELL_B, null);
        RouterException misrouted = new RouterException(ErrorCode.MISROUTED, "not mine");
        correction.misrouted(misrouted);

        assertThat(correctedTo).containsExactly(Http1Fixture.CELL_B);
        assertThat(failures).containsExactly(misrouted);
    }
}
