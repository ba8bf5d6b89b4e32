package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.transport.ClientAddress;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

class Http2RequestHeadsTest {

    /** Default limits (100 header fields). */
    private static final ProxyContext CONTEXT = TestProxyContexts.of(
            "", new io.cellrouter.router.testing.StubResolver(), new io.cellrouter.router.metrics.RouterMetrics());

    private static Http2Headers get(String path) {
        return new DefaultHttp2Headers()
                .method("GET")
                .scheme("http")
                .authority("a")
                .path(path);
    }

    @Test
    void fromHttp1_anEmptyHostNamesNoAuthority_anotherIsTheAuthority() {
        HttpRequest emptyHost = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        emptyHost.headers().set("host", "").set("x-customer-id", "acme");
        HttpRequest named = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        named.headers().set("host", "a.example:8443");

        Http2Headers withoutAuthority = Http2RequestHeads.fromHttp1(emptyHost, "http");
        Http2Headers withAuthority = Http2RequestHeads.fromHttp1(named, "https");

        assertThat(withoutAuthority.authority()).as(withoutAuthority.toString()).isNull();
        assertThat(withoutAuthority.contains("host")).isFalse();
        assertThat(withoutAuthority.scheme().toString()).isEqualTo("http");
        assertThat(withoutAuthority.get("x-customer-id").toString()).isEqualTo("acme");
        assertThat(withAuthority.authority().toString()).isEqualTo("a.example:8443");
        assertThat(withAuthority.scheme().toString()).isEqualTo("https");
    }

    @Test
    void grpc_byContentType_anySuffix_anyCase() {
        assertThat(Http2RequestHeads.grpc(get("/").set("content-type", "application/grpc")))
                .isTrue();
        assertThat(Http2RequestHeads.grpc(get("/").set("content-type", "application/grpc+proto")))
                .isTrue();
        assertThat(Http2RequestHeads.grpc(get("/").set("content-type", "Application/GRPC")))
                .isTrue();
        assertThat(Http2RequestHeads.grpc(get("/").set("content-type", "application/json")))
                .isFalse();
        assertThat(Http2RequestHeads.grpc(get("/"))).isFalse();
    }

    @Test
    void describe_startsTheLog_withWhatTheRequestSays() {
        ExchangeLog log = new ExchangeLog(ClientAddress.of(new EmbeddedChannel()), "h2");
        log.status = 500; // left from nothing: a new start forgets everything
        Http2Headers head = get("/a?b=1")
                .set("x-request-id", "req-1")
                .set("user-agent", "grpc-java/1.79")
                .set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        Http2RequestHeads.describe(log, head, true, false, 1234);

        assertThat(log.startNanos).isEqualTo(1234);
        assertThat(log.method).isEqualTo("GET");
        assertThat(log.path).isEqualTo("/a?b=1");
        assertThat(log.protocol).isEqualTo("grpc");
        assertThat(log.status).isZero();
        assertThat(log.requestId).isEqualTo("req-1");
        assertThat(log.traceId).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(log.userAgent).isEqualTo("grpc-java/1.79");
    }

    @Test
    void describe_withoutARequestId_givesTheRequestOne() {
        ExchangeLog log = new ExchangeLog(ClientAddress.of(new EmbeddedChannel()), "h2");
        Http2Headers head = get("/");

        Http2RequestHeads.describe(log, head, false, false, 0);

        assertThat(log.requestId).isNotBlank();
        assertThat(head.get("x-request-id")).hasToString(log.requestId);
        assertThat(log.userAgent).isNull();
        assertThat(log.traceId).isNull();
    }

    @Test
    void target_isTheNormalisedPath() {
        assertThat(Http2RequestHeads.target(get("/a/./b/../c?x=1"), false, 0, CONTEXT)
                        .originForm())
                .isEqualTo("/a/c?x=1");
    }

    @Test
    void target_protocolOtherThanWebsocket_isMalformed() {
        Http2Headers connect =
                new DefaultHttp2Headers().method("CONNECT").path("/chat").set(":protocol", "webtransport");

        assertThatThrownBy(() -> Http2RequestHeads.target(connect, false, 0, CONTEXT))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST))
                .hasMessage("malformed request: the only :protocol served is websocket");
    }

    @Test
    void target_websocket_isServed() {
        Http2Headers connect =
                new DefaultHttp2Headers().method("CONNECT").path("/chat").set(":protocol", "websocket");

        assertThat(Http2RequestHeads.target(connect, true, 0, CONTEXT).path()).isEqualTo("/chat");
    }

    @Test
    void target_absoluteFormPath_isMalformed() {
        assertThatThrownBy(() -> Http2RequestHeads.target(get("http://globex.example/a"), false, 0, CONTEXT))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    }

    @Test
    void target_asterisk_isServed() {
        assertThat(Http2RequestHeads.target(
                                new DefaultHttp2Headers().method("OPTIONS").path("*"), false, 0, CONTEXT)
                        .path())
                .isEqualTo("*");
    }

    @Test
    void target_noPath_isMalformed() {
        Http2Headers noPath = new DefaultHttp2Headers().method("GET");

        assertThatThrownBy(() -> Http2RequestHeads.target(noPath, false, 0, CONTEXT))
                .isInstanceOf(RouterException.class)
                .hasMessage("malformed request: no :path");
    }
}
