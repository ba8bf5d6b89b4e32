package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client's request trailers lose what the router decides on the header section (identity,
 * forwarding, request id, its own fields, hop-by-hop, framing) and keep everything else.
 */
class RequestTrailersTest {

    private static final List<AsciiString> IDENTITY =
            List.of(AsciiString.of("x-customer-id"), AsciiString.of("authorization"));

    /** What an attacker would put in trailers, in mixed case, and what a client legitimately sends. */
    private static final String[] FIELDS = {
        "X-Customer-Id", "victim",
        "Authorization", "Bearer someone-elses-token",
        "X-Forwarded-For", "6.6.6.6",
        "x-forwarded-proto", "https",
        "Forwarded", "for=6.6.6.6",
        "X-Real-IP", "6.6.6.6",
        "x-cell-router-cell", "cell-b",
        "x-request-id", "forged",
        "Content-Length", "0",
        "Transfer-Encoding", "chunked",
        "Trailer", "x-checksum",
        "Host", "elsewhere",
        "TE", "trailers",
        "Proxy-Authorization", "Basic eA==",
        // Spelled with '_' for '-', which CGI-style servers read as the fields above.
        "x_customer_id", "victim",
        "X-Forwarded_For", "6.6.6.6",
        "x_real_ip", "6.6.6.6",
        "x_cell_router_cell", "cell-b",
        "x_request_id", "forged",
        "Transfer_Encoding", "chunked",
        "x-checksum", "c0ffee",
        "grpc-previous-rpc-attempts", "1"
    };

    @Test
    void http1Trailers_keepOnlyTheFieldsTheRouterDoesNotDecide() {
        HttpHeaders trailers = new DefaultHttpHeaders();
        for (int i = 0; i < FIELDS.length; i += 2) {
            trailers.add(FIELDS[i], FIELDS[i + 1]);
        }

        RequestTrailers.toCell(trailers, IDENTITY);

        assertThat(trailers.names()).containsExactlyInAnyOrder("x-checksum", "grpc-previous-rpc-attempts");
        assertThat(trailers.get("x-checksum")).isEqualTo("c0ffee");
    }

    @Test
    void http1Trailers_lookLikeHeaders_soConnectionNamedFieldsGoToo() {
        HttpHeaders trailers = new DefaultHttpHeaders()
                .add("Connection", "x-private")
                .add("x-private", "1")
                .add("x-checksum", "c0ffee");

        RequestTrailers.toCell(trailers, IDENTITY);

        assertThat(trailers.names()).containsExactly("x-checksum");
    }

    @Test
    void anEmptyLastPart_sharedAndImmutable_isLeftAlone() {
        RequestTrailers.toCell(LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders(), IDENTITY);

        assertThat(LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders().isEmpty())
                .isTrue();
    }

    @Test
    void http2Trailers_keepOnlyTheFieldsTheRouterDoesNotDecide() {
        Http2Headers trailers = new DefaultHttp2Headers(false);
        for (int i = 0; i < FIELDS.length; i += 2) {
            trailers.add(AsciiString.of(FIELDS[i]).toLowerCase(), FIELDS[i + 1]);
        }

        Http2Headers sent = RequestTrailers.toCell(trailers, IDENTITY);

        assertThat(sent).isSameAs(trailers);
        assertThat(sent.names())
                .extracting(CharSequence::toString)
                .containsExactlyInAnyOrder("x-checksum", "grpc-previous-rpc-attempts");
    }
}
