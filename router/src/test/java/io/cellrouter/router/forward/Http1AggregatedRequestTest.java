package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A connection's first request arrives whole (a FullHttpRequest) when it asked for an upgrade:
 * the h2c upgrade handler aggregates it. Its body buffer is released on every path, refused or
 * forwarded, like a request that arrived in parts.
 */
class Http1AggregatedRequestTest {

    private final Http1Fixture fixture = new Http1Fixture().route("acme", Http1Fixture.CELL_A);

    @AfterEach
    void close() {
        fixture.channel.finishAndReleaseAll();
    }

    private static DefaultFullHttpRequest upgradeRequest(String customer, ByteBuf body) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", body);
        request.headers().set("host", "a").set("upgrade", "websocket").set("connection", "Upgrade");
        if (customer != null) {
            request.headers().set("x-customer-id", customer);
        }
        return request;
    }

    /** No identity (401) or an unknown customer (404): refused before a cell is chosen. */
    @ParameterizedTest(name = "[{0}] {1}")
    @CsvSource(
            value = {"NONE, 401", "nobody, 404"},
            nullValues = "NONE")
    void refusedBeforeACell_releasesTheAggregatedBody(String customer, int status) {
        ByteBuf body = Unpooled.directBuffer(16);

        fixture.channel.writeInbound(upgradeRequest(customer, body));

        assertThat(fixture.answered()).startsWith("HTTP/1.1 " + status + " ");
        assertThat(body.refCnt()).as("the aggregated body was released").isZero();
    }

    @Test
    void cellUnreachable_releasesTheAggregatedBody() {
        ByteBuf body = Unpooled.directBuffer(16);
        fixture.channel.writeInbound(upgradeRequest("acme", body));

        fixture.lastOpened().promise().setFailure(new java.io.IOException("connection refused"));
        fixture.channel.runPendingTasks();

        assertThat(fixture.answered()).startsWith("HTTP/1.1 502 ");
        assertThat(body.refCnt()).as("the aggregated body was released").isZero();
    }

    @Test
    void forwarded_thenTheCellClosesBeforeAnswering_theBodyGoesWithTheHead() {
        ByteBuf body = Unpooled.directBuffer(16);
        fixture.channel.writeInbound(upgradeRequest("acme", body));

        FakeCellLeg leg = fixture.lastOpened().ready();
        fixture.channel.runPendingTasks();
        leg.release(); // the real leg's encoder releases what it writes
        fixture.lastOpened().answer().upstreamClosed(new java.io.IOException("reset"));
        fixture.channel.runPendingTasks();

        assertThat(fixture.answered()).startsWith("HTTP/1.1 502 ");
        assertThat(body.refCnt()).as("the aggregated body was released").isZero();
    }
}
