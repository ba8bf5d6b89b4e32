package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A connection's exchanges as a customer's move finds them, on an embedded event loop. */
class Http1MoveTrackerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final CustomerExchanges registry = new CustomerExchanges();
    private final ExchangeLog log = new ExchangeLog(ClientAddress.of(channel), "http1");
    private final Http1KeepAlive keepAlive =
            new Http1KeepAlive(new DrainState(), java.time.Duration.ZERO, channel.eventLoop());
    private int endedForMove;
    private final Http1MoveTracker tracker =
            new Http1MoveTracker(() -> endedForMove++, log, keepAlive, registry, channel.eventLoop());

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private List<CustomerExchanges.InFlight> inFlight(String customer) {
        CompletableFuture<List<CustomerExchanges.InFlight>> found = registry.of(customer);
        channel.runPendingTasks();
        return found.join();
    }

    private void routedToCellA(String customer) {
        log.identity = new Identity(customer, null, "header");
        log.cell = Http1Fixture.CELL_A;
        keepAlive.begin(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        tracker.track();
    }

    @Test
    void aTrackedExchange_isFoundByItsCustomersMove() {
        routedToCellA("acme");

        assertThat(inFlight("acme")).singleElement().satisfies(found -> {
            assertThat(found.cell()).isEqualTo("cell-a");
            assertThat(found.handler()).isSameAs(tracker);
            assertThat(found.sequence()).isEqualTo(1);
        });
        assertThat(inFlight("other")).isEmpty();
    }

    @Test
    void anExchangeThatEnded_isNotFound() {
        routedToCellA("acme");

        tracker.untrack();

        assertThat(inFlight("acme")).isEmpty();
        assertThat(tracker.inFlight()).isNull();
    }

    @Test
    void routingChanged_endsTheConnectionAfterTheCurrentAnswer() {
        routedToCellA("acme");

        tracker.routingChanged(tracker.sequence());

        assertThat(keepAlive.keeps()).isFalse();
    }

    /** The answer's head went out keeping the connection: the client may have sent its next request already. */
    @Test
    void routingChanged_afterTheAnswersHeadKeptTheConnection_keepsIt() {
        routedToCellA("acme");
        keepAlive.answerHeadSent();

        tracker.routingChanged(tracker.sequence());

        assertThat(keepAlive.keeps()).isTrue();
    }

    @Test
    void aMoveOfAnEarlierExchange_doesNotTouchTheNextOne() {
        routedToCellA("acme");
        long first = tracker.sequence();
        tracker.untrack();
        routedToCellA("acme");

        tracker.routingChanged(first);
        tracker.endForMove(first);

        assertThat(keepAlive.keeps()).isTrue();
        assertThat(endedForMove).isZero();
        assertThat(tracker.current(first)).isFalse();
        assertThat(tracker.current(tracker.sequence())).isTrue();
    }

    @Test
    void endForMove_endsTheCurrentExchange_onlyWhileItIsTracked() {
        routedToCellA("acme");

        tracker.endForMove(tracker.sequence());
        assertThat(endedForMove).isEqualTo(1);

        tracker.untrack();
        tracker.endForMove(tracker.sequence());
        assertThat(endedForMove).isEqualTo(1);
    }
}
