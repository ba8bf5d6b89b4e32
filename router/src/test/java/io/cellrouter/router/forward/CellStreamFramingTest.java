package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

/** What ends a cell's answer as a whole one, where Netty's decoder lets the answer through. */
class CellStreamFramingTest {

    private final CellStreamFraming framing = new CellStreamFraming();

    private static Http2Headers request(String method) {
        return new DefaultHttp2Headers().method(method).path("/").scheme("http").authority("a");
    }

    private static Http2Headers answer(String status, long length) {
        return new DefaultHttp2Headers().status(status).setLong("content-length", length);
    }

    @Test
    void announcedLength_andNoBody_isNotWhole() {
        framing.request(request("GET"));

        assertThat(framing.headers(answer("200", 1000), true)).isEqualTo("content-length 1000 but 0 bytes of body");
    }

    @Test
    void announcedLength_endedByAnEmptyDataFrame_isNotWhole() {
        framing.request(request("POST"));

        assertThat(framing.headers(answer("200", 1000), false)).isNull();
        assertThat(framing.data(0, true)).isEqualTo("content-length 1000 but 0 bytes of body");
    }

    @Test
    void announcedLength_met_orNoneAnnounced_isWhole() {
        framing.request(request("GET"));
        assertThat(framing.headers(answer("200", 3), false)).isNull();
        assertThat(framing.data(1, false)).isNull();
        assertThat(framing.data(2, true)).isNull();

        CellStreamFraming unannounced = new CellStreamFraming();
        unannounced.request(request("GET"));
        assertThat(unannounced.headers(new DefaultHttp2Headers().status("200"), true))
                .isNull();
    }

    @Test
    void announcedLength_endedByTrailers_countsTheBody() {
        framing.request(request("POST"));
        framing.headers(answer("200", 4), false);

        assertThat(framing.headers(new DefaultHttp2Headers().set("grpc-status", "0"), true))
                .isEqualTo("content-length 4 but 0 bytes of body");
    }

    @Test
    void headRequest_or304_carriesNoBody_whateverTheLength() {
        framing.request(request("HEAD"));
        assertThat(framing.headers(answer("200", 1000), true)).isNull();

        CellStreamFraming notModified = new CellStreamFraming();
        notModified.request(request("GET"));
        assertThat(notModified.headers(answer("304", 1000), true)).isNull();
    }

    @Test
    void a204_announcingABody_isNotWhole() {
        framing.request(request("GET"));

        assertThat(framing.headers(answer("204", 10), true)).isNotNull();
    }

    @Test
    void interimAnswer_mustNotEndTheStream_theFinalOneFollows() {
        framing.request(request("GET"));

        assertThat(framing.headers(new DefaultHttp2Headers().status("100"), false))
                .isNull();
        assertThat(framing.headers(new DefaultHttp2Headers().status("103"), true))
                .isEqualTo("an informational (103) answer ended the stream");
    }
}
