package io.cellrouter.router.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request-head guard on an embedded channel: what it passes on to the decoder, and what not. */
class RequestHeadGuardTest {

    private final List<String> rejected = new ArrayList<>();

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aWholeHead_isPassedOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestHeadGuard(10_000, rejected::add));

        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));

        ByteBuf passed = ch.readInbound();
        assertThat(passed.toString(StandardCharsets.ISO_8859_1)).startsWith("GET / ");
        passed.release();
        assertThat(rejected).isEmpty();
    }

    /**
     * After the 400 for a folded line, nothing more reaches the decoder, not even the rest of the
     * same socket read (TLS hands a read over one record at a time), which would otherwise be
     * parsed as the next request while the connection closes.
     */
    @Test
    void afterAFoldedLine_theRestIsDropped_notPassedOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestHeadGuard(10_000, rejected::add));

        ByteBuf next = bytes("GET /smuggled HTTP/1.1\r\nHost: a\r\nx-customer-id: bob\r\n\r\n");
        ch.writeInbound(bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n"), next); // one read

        assertThat(rejected).containsExactly("malformed_request");
        assertThat((Object) ch.readInbound()).as("nothing passed on").isNull();
        assertThat(next.refCnt()).as("released").isZero();
        ByteBuf answer = ch.readOutbound();
        assertThat(answer.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400 ");
        answer.release();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "GET /a http/1.1\r\n",
                "GET /a Http/1.1\r\n",
                "GET\t/a\tHTTP/1.1\r\n",
                "GET  /a HTTP/1.1\r\n",
                "GET /a  HTTP/1.1\r\n",
                " GET /a HTTP/1.1\r\n",
                "GET /a HTTP/1.1 \r\n",
                "GET /a b HTTP/1.1\r\n"
            })
    void aLooseRequestLine_is400_andNothingPassedOn(String line) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestHeadGuard(10_000, rejected::add));

        ch.writeInbound(bytes(line + "Host: a\r\n\r\n"));

        assertThat(rejected).containsExactly("malformed_request");
        assertThat((Object) ch.readInbound()).as("nothing passed on").isNull();
        ByteBuf answer = ch.readOutbound();
        assertThat(answer.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400 ");
        answer.release();
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"GET /a HTTP/1.1\r\n", "\r\nGET /a HTTP/1.1\r\n", "OPTIONS * HTTP/1.0\r\n"})
    void aRequestLineSplitAcrossReads_isPassedOn(String line) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestHeadGuard(10_000, rejected::add));
        String head = line + "Host: a\r\n\r\n";

        for (int i = 0; i < head.length(); i++) {
            ch.writeInbound(bytes(head.substring(i, i + 1)));
        }

        assertThat(rejected).isEmpty();
        ByteBuf passed;
        int bytes = 0;
        while ((passed = ch.readInbound()) != null) {
            bytes += passed.readableBytes();
            passed.release();
        }
        assertThat(bytes).isEqualTo(head.length());
    }

    /**
     * The next request's head started in the read of the last one: the decoder holds its start,
     * and what arrives next is the middle of a head, not a request line.
     */
    @Test
    void aPipelinedHeadStartedInTheLastRead_isNotReadAsARequestLine() {
        RequestHeadGuard guard = new RequestHeadGuard(10_000, rejected::add);
        EmbeddedChannel ch = new EmbeddedChannel(guard);
        ch.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nUser-Ag"));
        guard.headReceived();
        guard.awaitNextHead();

        ch.writeInbound(bytes("ent: Mozilla/5.0 (X11; Linux x86_64)\r\nHost: a\r\n\r\n"));

        assertThat(rejected).isEmpty();
        releaseAll(ch);
    }

    @Test
    void theNextHeadInAReadOfItsOwn_isChecked() {
        RequestHeadGuard guard = new RequestHeadGuard(10_000, rejected::add);
        EmbeddedChannel ch = new EmbeddedChannel(guard);
        ch.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"));
        guard.headReceived();
        guard.awaitNextHead();

        ch.writeInbound(bytes("GET /b http/1.1\r\nHost: a\r\n\r\n"));

        assertThat(rejected).containsExactly("malformed_request");
        releaseAll(ch);
    }

    private static void releaseAll(EmbeddedChannel ch) {
        Object message;
        while ((message = ch.readInbound()) != null) {
            ((ByteBuf) message).release();
        }
        while ((message = ch.readOutbound()) != null) {
            ((ByteBuf) message).release();
        }
    }
}
