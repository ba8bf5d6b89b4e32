package io.cellrouter.router.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WireMock server playing a cell: by default it answers every request 200 with its own name in
 * the body and in {@code x-served-by}, and its request journal tells a test exactly what the cell
 * received (or that it received nothing). Tests add their own stubs for faults and delays.
 *
 * <p>A stub whose response has {@code .withTransformers(WireMockCell.GATE)} answers only once the test opens the
 * gate ({@link #closeGate()}, {@link #openGate()}): a cell that is slow for exactly as long as the
 * test needs, instead of a fixed delay that a loaded machine may outlast.
 */
public final class WireMockCell implements AutoCloseable {

    /** The name of the gate transformer, for {@code .withTransformers(GATE)}. */
    public static final String GATE = "gate";

    private final String name;
    private final Gate gate = new Gate();
    private final WireMockServer server;

    private WireMockCell(String name) {
        this.name = name;
        this.server = new WireMockServer(
                options().dynamicPort().bindAddress("127.0.0.1").extensions(gate));
        server.start();
        server.stubFor(any(anyUrl())
                .atPriority(10)
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("x-served-by", name)
                        .withBody(name)));
    }

    public static WireMockCell start(String name) {
        return new WireMockCell(name);
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.port();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The registry lines of this cell, for {@link RouterExtension}'s extra cells. */
    public String registryYaml() {
        return "  - name: %s\n    endpoint: %s\n".formatted(name, endpoint());
    }

    public void stub(MappingBuilder mapping) {
        server.stubFor(mapping);
    }

    /** Every request this cell received, oldest first. */
    public List<LoggedRequest> received() {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl()));
    }

    /** From now on, gated stubs hold their answers until {@link #openGate()}. */
    public void closeGate() {
        gate.close();
    }

    /** Lets every held answer (and every later one) go. */
    public void openGate() {
        gate.open();
    }

    /** Answers of gated stubs being held now. */
    public int heldAtGate() {
        return gate.held.get();
    }

    public WireMockServer server() {
        return server;
    }

    @Override
    public void close() {
        server.stop();
    }

    /**
     * Holds the answer of a stub that names it on the server's request thread until opened; open at
     * first. Bounded: an answer is never held longer than a minute, so a test that fails before it
     * opens the gate cannot leave the server's threads blocked.
     */
    private static final class Gate implements ResponseDefinitionTransformerV2 {
        private volatile CountDownLatch latch = new CountDownLatch(0);
        private final AtomicInteger held = new AtomicInteger();

        void close() {
            if (latch.getCount() == 0) {
                latch = new CountDownLatch(1);
            }
        }

        void open() {
            latch.countDown();
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            CountDownLatch current = latch;
            held.incrementAndGet();
            try {
                current.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.decrementAndGet();
            }
            return serveEvent.getResponseDefinition();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return GATE;
        }
    }
}
