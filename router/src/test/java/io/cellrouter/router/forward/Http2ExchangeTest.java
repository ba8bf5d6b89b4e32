package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolution;
import io.netty.handler.codec.http2.Http2Error;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream's life through a real {@link Http2Frontend} on an {@link io.netty.channel.embedded.EmbeddedChannel},
 * up to where a cell would be needed: the router's own answers, and how a stream ends early. (With
 * cells: Http2IT, GrpcIT, Http2UpstreamIT, MisrouteIT, MoveGraceIT.)
 */
class Http2ExchangeTest {

    private final Http2FrontendFixture fixture = new Http2FrontendFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void unknownCustomer_answers404_asJson_withTheRequestId() {
        fixture.channel.writeInbound(
                fixture.client.headers(1, Http2FrontendFixture.request("nobody", "x-request-id", "req-7"), true));

        List<String> frames = fixture.frames();

        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).isEqualTo("HEADERS 1 :status=404 content-type=application/json x-request-id=req-7");
        assertThat(frames.get(1)).startsWith("DATA 1 ").endsWith(" end");
        assertThat(fixture.context.drain().inFlight()).isZero();
    }

    @Test
    void unknownCustomer_overGrpc_answersTrailersOnly_withGrpcsNotFound() {
        fixture.channel.writeInbound(fixture.client.headers(
                1,
                Http2FrontendFixture.request("nobody", "content-type", "application/grpc", "x-request-id", "r"),
                true));

        assertThat(fixture.frames())
                .singleElement()
                .asString()
                .startsWith(
                        "HEADERS 1 :status=200 content-type=application/grpc grpc-status=5 grpc-message=unknown_customer")
                .endsWith("x-request-id=r end");
    }

    @Test
    void protocolOtherThanWebsocket_answers400() {
        fixture.channel.writeInbound(fixture.client.headers(
                1,
                Http2FrontendFixture.request("acme", "x-request-id", "r")
                        .method("CONNECT")
                        .set(":protocol", "webtransport"),
                true));

        assertThat(fixture.frames()).first().asString().startsWith("HEADERS 1 :status=400");
    }

    @Test
    void bodyOverTheLimit_whileRouting_answers413_andTellsTheClientToStop() {
        fixture.openWaitingStream(1, 50_001, false);

        List<String> frames = fixture.frames();

        assertThat(frames).anyMatch(frame -> frame.startsWith("WINDOW_UPDATE 1 ")); // what it held, let go
        assertThat(frames).anyMatch(frame -> frame.startsWith("HEADERS 1 :status=413"));
        assertThat(frames).last().isEqualTo("RST 1 " + Http2Error.NO_ERROR.code());
        assertThat(fixture.context.drain().inFlight()).isZero();
    }

    @Test
    void clientResetWhileRouting_endsTheExchange_andTheLateRouteIsIgnored() {
        CompletableFuture<Resolution> later = new CompletableFuture<>();
        fixture.resolver.answer("acme", later);
        fixture.channel.writeInbound(fixture.client.headers(1, Http2FrontendFixture.request("acme"), false));
        assertThat(fixture.context.drain().inFlight()).isEqualTo(1);

        fixture.channel.writeInbound(fixture.client.rst(1, Http2Error.CANCEL.code()));
        later.complete(
                new Resolution(Resolution.Outcome.UNKNOWN_CUSTOMER, null, Resolution.Source.REGISTRY, null, null));
        fixture.channel.runPendingTasks();

        assertThat(fixture.context.drain().inFlight()).isZero();
        assertThat(fixture.frames()).isEmpty();
    }

    @Test
    void routeComingLater_isAnsweredThen() {
        CompletableFuture<Resolution> later = new CompletableFuture<>();
        fixture.resolver.answer("acme", later);
        fixture.channel.writeInbound(fixture.client.headers(1, Http2FrontendFixture.request("acme"), true));
        assertThat(fixture.frames()).isEmpty();

        later.complete(
                new Resolution(Resolution.Outcome.UNKNOWN_CUSTOMER, null, Resolution.Source.REGISTRY, null, null));
        fixture.channel.runPendingTasks();

        assertThat(fixture.frames()).first().asString().startsWith("HEADERS 1 :status=404");
    }

    @Test
    void connectionLost_endsEveryExchangeStillRunning() {
        fixture.openWaitingStream(1, 0, false);
        fixture.openWaitingStream(3, 0, true);
        assertThat(fixture.context.drain().inFlight()).isEqualTo(2);

        fixture.channel.unsafe().close(fixture.channel.voidPromise()); // the socket, not a graceful close
        fixture.channel.runPendingTasks();

        assertThat(fixture.context.drain().inFlight()).isZero();
    }
}
