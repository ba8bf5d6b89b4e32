package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolution.Outcome;
import io.cellrouter.registry.cache.Resolution.Source;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the grace period after a move ends an exchange: after the grace period, or when a shorter
 * freeze ends; never an exchange that runs on the customer's new cell by then.
 */
class MovedCustomerCloserTest {

    private static final Cell CELL_A = new Cell("cell-a", URI.create("http://127.0.0.1:1"), CellState.ACTIVE);
    private static final Cell CELL_B = new Cell("cell-b", URI.create("http://127.0.0.1:2"), CellState.ACTIVE);

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final CustomerExchanges exchanges = new CustomerExchanges();
    private final AtomicReference<Resolution> resolution = new AtomicReference<>();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    /** A resolver that answers what the test says: the closer's collaborator, not the thing under test. */
    private Resolver resolver() {
        return (Resolver) Proxy.newProxyInstance(
                Resolver.class.getClassLoader(), new Class<?>[] {Resolver.class}, (proxy, method, args) -> {
                    if (method.getName().equals("resolve")) {
                        return CompletableFuture.completedFuture(resolution.get());
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** One exchange of customer "acme" on a cell the test can change (as misroute correction does). */
    private static final class Exchange implements MovableExchange {
        final EventExecutor executor;
        final CustomerExchanges.Link link = new CustomerExchanges.Link(this);
        volatile String cell = CELL_A.name();
        final AtomicInteger changed = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();

        Exchange(EventExecutor executor) {
            this.executor = executor;
        }

        @Override
        public CustomerExchanges.InFlight inFlight() {
            return new CustomerExchanges.InFlight("acme", cell, this, 7, executor);
        }

        @Override
        public void routingChanged(long sequence) {
            changed.incrementAndGet();
        }

        @Override
        public void endForMove(long sequence) {
            ended.incrementAndGet();
        }
    }

    private Exchange running() throws Exception {
        Exchange exchange = new Exchange(loop);
        loop.submit(() -> exchanges.loop(loop).link(exchange.link)).get();
        return exchange;
    }

    @Test
    void aFreezeShorterThanTheGracePeriod_endsTheOldCellsExchangeWhenTheFreezeEnds() throws Exception {
        Exchange exchange = running();
        MovedCustomerCloser closer = new MovedCustomerCloser(exchanges, this::resolver, Duration.ofHours(1));
        resolution.set(new Resolution(Outcome.FROZEN, CELL_A, Source.OVERRIDE, null, Duration.ofMillis(200)));

        closer.routingChanged("acme");

        await().atMost(Duration.ofSeconds(10)).until(() -> exchange.ended.get() == 1);
    }

    @Test
    void anExchangeCorrectedToTheNewCellDuringTheGracePeriod_isSpared() throws Exception {
        Exchange bystander = running(); // stays on cell-a: its end shows that the grace period is over
        Exchange corrected = running(); // linked last, so collected and timed first
        MovedCustomerCloser closer = new MovedCustomerCloser(exchanges, this::resolver, Duration.ofSeconds(2));
        resolution.set(new Resolution(Outcome.ROUTE, CELL_B, Source.REGISTRY, Duration.ZERO, null));

        closer.routingChanged("acme");
        await().atMost(Duration.ofSeconds(10)).until(() -> corrected.changed.get() == 1);
        corrected.cell = CELL_B.name(); // cell-a answered 421; the exchange was replayed to cell-b

        await().atMost(Duration.ofSeconds(10)).until(() -> bystander.ended.get() == 1);
        assertThat(corrected.ended).hasValue(0);
    }
}
