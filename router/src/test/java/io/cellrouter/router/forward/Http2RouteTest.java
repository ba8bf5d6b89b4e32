package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.Http2RequestHead;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a stream goes, with the router's real routing step, bulkheads, misroute correction and
 * in-flight registry over a {@link io.cellrouter.router.testing.StubResolver}; the exchange is a
 * recording stand-in.
 */
class Http2RouteTest {

    private static final Cell CELL_A = new Cell("cell-a", URI.create("http://127.0.0.1:1"), CellState.ACTIVE);
    private static final Cell CELL_B = new Cell("cell-b", URI.create("http://127.0.0.1:2"), CellState.ACTIVE);

    private final Http2FrontendFixture fixture = new Http2FrontendFixture();
    private final ProxyContext context = fixture.context;
    private final List<String> told = new ArrayList<>();
    private boolean routing = true;
    private boolean done;

    private final Http2Route.Exchange exchange = new Http2Route.Exchange() {
        @Override
        public boolean routing() {
            return routing;
        }

        @Override
        public boolean done() {
            return done;
        }

        @Override
        public void routed() {
            routing = false;
            told.add("routed");
        }

        @Override
        public void connect(boolean fresh) {
            told.add("connect");
        }

        @Override
        public void fail(RouterException error, int grpcStatus) {
            told.add("fail " + error.code().code());
        }

        @Override
        public void movedAway() {
            told.add("movedAway");
        }
    };

    private final Http2Headers head = Http2FrontendFixture.request("acme");
    private final Http2RequestRelay request = new Http2RequestRelay(fixture.front, 7);
    private final ExchangeLog log = new ExchangeLog(fixture.front.remote(), "h2");
    private final Http2Route route = new Http2Route(exchange, request, context, log, 7, fixture.channel.eventLoop());

    @AfterEach
    void close() {
        fixture.close();
    }

    private static Resolution routeTo(Cell cell) {
        return new Resolution(Resolution.Outcome.ROUTE, cell, Resolution.Source.REGISTRY, null, null);
    }

    private void start() {
        request.start(head, true);
        route.start(new Http2RequestHead(head, RequestTarget.parse("/orders")));
    }

    private List<CustomerExchanges.InFlight> inFlight() {
        CompletableFuture<List<CustomerExchanges.InFlight>> found =
                context.exchanges().of("acme");
        fixture.channel.runPendingTasks();
        return found.join();
    }

    @Test
    void routed_holdsTheCellAndItsPermit_andIsTrackedInFlight() {
        fixture.resolver.answer("acme", routeTo(CELL_A));

        start();

        assertThat(told).containsExactly("routed");
        assertThat(route.cell()).isEqualTo(CELL_A);
        assertThat(context.bulkheads().inFlight("cell-a")).isEqualTo(1);
        assertThat(inFlight()).singleElement().satisfies(one -> {
            assertThat(one.cell()).isEqualTo("cell-a");
            assertThat(one.sequence()).isEqualTo(7);
            assertThat(one.handler()).isSameAs(route);
        });
    }

    @Test
    void end_releasesThePermit_andLeavesTheInFlightList() {
        fixture.resolver.answer("acme", routeTo(CELL_A));
        start();

        route.end();
        route.end(); // once only

        assertThat(context.bulkheads().inFlight("cell-a")).isZero();
        assertThat(inFlight()).isEmpty();
    }

    /** A bug in an identity source (here: reading a header throws) costs the request a 500, and nothing hangs. */
    @Test
    void identitySourceThatThrows_isRefusedAsInternal() {
        request.start(head, true);
        route.start(new io.cellrouter.router.identity.RequestHead() {
            @Override
            public java.util.Iterator<String> values(io.netty.util.AsciiString name) {
                throw new IllegalStateException("a bug");
            }

            @Override
            public String host() {
                return null;
            }

            @Override
            public RequestTarget target() {
                return RequestTarget.parse("/orders");
            }

            @Override
            public void remove(io.netty.util.AsciiString name) {}
        });

        assertThat(told).containsExactly("fail internal");
        assertThat(route.cell()).isNull();
    }

    @Test
    void unknownCustomer_isRefused() {
        start();

        assertThat(told).containsExactly("fail unknown_customer");
        assertThat(route.cell()).isNull();
    }

    @Test
    void routeArrivingAfterTheExchangeEnded_isIgnored() {
        CompletableFuture<Resolution> later = new CompletableFuture<>();
        fixture.resolver.answer("acme", later);
        start();
        routing = false; // the client went away meanwhile

        later.complete(routeTo(CELL_A));
        fixture.channel.runPendingTasks();

        assertThat(told).isEmpty();
        assertThat(context.bulkheads().inFlight("cell-a")).isZero();
    }

    @Test
    void endForMove_endsTheExchange_ofThisStreamOnly_whileItRuns() {
        fixture.resolver.answer("acme", routeTo(CELL_A));
        start();

        route.endForMove(9);
        assertThat(told).containsExactly("routed");

        route.endForMove(7);
        assertThat(told).containsExactly("routed", "movedAway");

        done = true;
        route.endForMove(7);
        assertThat(told).containsExactly("routed", "movedAway");
        assertThat(route.inFlight()).as("an ended exchange is not in flight").isNull();
    }

    @Test
    void misdirected_registryNamesAnotherCell_theRequestGoesThereOnce() {
        fixture.resolver.answer("acme", routeTo(CELL_A));
        start();
        RecordingCellSide side = new RecordingCellSide();
        side.writable = false;
        request.writeHead(side); // sent to cell-a, whose 421 comes back
        fixture.resolver.answer("acme", routeTo(CELL_B));
        routing = true;

        route.misdirected("cell-b");

        assertThat(told).containsExactly("routed", "connect");
        assertThat(route.cell()).isEqualTo(CELL_B);
        assertThat(log.cell).isEqualTo(CELL_B);
        assertThat(log.misroutedFrom).isEqualTo("cell-a");
        assertThat(head.get(ForwardHeaders.X_CELL_ROUTER_CELL)).hasToString("cell-b");
        assertThat(context.bulkheads().inFlight("cell-a"))
                .as("cell-a's permit released")
                .isZero();
        assertThat(context.bulkheads().inFlight("cell-b")).isEqualTo(1);
    }

    @Test
    void misdirected_requestNotReplayable_isAnsweredMisrouted() {
        fixture.resolver.answer("acme", routeTo(CELL_A));
        start(); // no cell side yet: nothing kept to send again
        routing = true;

        route.misdirected(null);

        assertThat(told).containsExactly("routed", "fail misrouted");
        assertThat(route.cell()).isEqualTo(CELL_A);
    }
}
