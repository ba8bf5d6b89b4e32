package io.cellrouter.router.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;

/**
 * A WireMock server playing a cell: by default it answers every request 200 with its own name in
 * the body and in {@code x-served-by}, and its request journal tells a test exactly what the cell
 * received (or that it received nothing). Tests add their own stubs for faults and delays.
 */
public final class WireMockCell implements AutoCloseable {

    private final String name;
    private final WireMockServer server;

    private WireMockCell(String name) {
        this.name = name;
        this.server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
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

    public WireMockServer server() {
        return server;
    }

    @Override
    public void close() {
        server.stop();
    }
}
