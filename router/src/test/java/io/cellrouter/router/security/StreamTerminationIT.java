package io.cellrouter.router.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import io.cellrouter.router.testing.WireMockCell;
import io.netty.handler.codec.http2.Http2Error;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No HTTP/2 stream is left hanging: a response body the cell cuts short is never presented as
 * complete, and the client's stream is reset (INTERNAL_ERROR) at once, freeing its slot; a header
 * block that does not complete within {@code proxy.requestHeaderTimeout} is reset too.
 * Alice lives on a scripted HTTP/1.1 cell, Bob on a WireMock cell for its built-in faults.
 */
@Timeout(120)
class StreamTerminationIT {

    private ScriptedCell cell;
    private WireMockCell faults;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCells(), "  alice: sc\n  bob: wm\n")
            .proxy(() -> "  requestHeaderTimeout: 1s\n  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s");

    private String startCells() {
        try {
            cell = new ScriptedCell(request -> Answer.of(ScriptedCell.ok("whole")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        faults = WireMockCell.start("wm");
        return "  - name: sc\n    endpoint: " + cell.endpoint() + "\n" + faults.registryYaml();
    }

    @AfterEach
    void stopCells() {
        cell.close();
        faults.close();
    }

    private static Answer truncated(String how) {
        return switch (how) {
            case "short-content-length" -> Answer.thenClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
            case "mid-chunk" ->
                Answer.thenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly part");
            case "reset" -> Answer.thenReset("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
            default -> throw new IllegalArgumentException(how);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"short-content-length", "mid-chunk", "reset"})
    void cellCutsTheBodyShort_http2StreamIsResetWithInternalError(String how) throws Exception {
        cell.script(request -> truncated(how));
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = h2.send(H2Client.request("GET", "/x", "x-customer-id", "alice"), null)
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());
            assertThat(response.headersEndStream()).doesNotContain(true);
        }
    }

    /**
     * The reset arriving with the answer's last bytes, forty times on forty cell connections: every
     * stream is reset. (Netty 4.2.18's io_uring transport missed about one such reset in five and
     * left the stream waiting forever; the default transport is epoll for that reason.)
     */
    @Test
    void cellResetsMidAnswer_fortyTimes_everyStreamIsReset() throws Exception {
        cell.script(request -> truncated("reset"));
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            for (int i = 0; i < 40; i++) {
                H2Client.Response response = h2.send(H2Client.request("GET", "/x" + i, "x-customer-id", "alice"), null)
                        .get(10, TimeUnit.SECONDS);

                assertThat(response.resetCode()).as("stream %d", i).isEqualTo(Http2Error.INTERNAL_ERROR.code());
            }
        }
    }

    @Test
    void wireMockMalformedChunk_http2StreamIsReset() throws Exception {
        faults.stub(get(urlEqualTo("/broken")).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            H2Client.Response response = h2.send(H2Client.request("GET", "/broken", "x-customer-id", "bob"), null)
                    .get(10, TimeUnit.SECONDS);

            assertThat(response.resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());
        }
    }

    /**
     * 200 truncated responses on one connection (more than its 100 stream slots): each stream is
     * reset within a second of being sent, and afterwards the connection still serves a stream.
     */
    @Test
    void twoHundredTruncatedResponses_eachResetWithinASecond_andTheConnectionStillServes() throws Exception {
        cell.script(request -> request.target().equals("/whole")
                ? Answer.of(ScriptedCell.ok("whole"))
                : truncated("short-content-length"));
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            long slowestMillis = 0;
            for (int batch = 0; batch < 20; batch++) {
                List<CompletableFuture<H2Client.Response>> streams = new ArrayList<>();
                long sent = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    streams.add(h2.send(H2Client.request("GET", "/cut", "x-customer-id", "alice"), null));
                }
                for (CompletableFuture<H2Client.Response> stream : streams) {
                    H2Client.Response response = stream.get(10, TimeUnit.SECONDS);
                    assertThat(response.resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());
                }
                slowestMillis = Math.max(slowestMillis, (System.nanoTime() - sent) / 1_000_000);
            }
            assertThat(slowestMillis).as("slowest batch of resets, ms").isLessThan(1000);

            H2Client.Response whole = h2.send(H2Client.request("GET", "/whole", "x-customer-id", "alice"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(whole.status()).isEqualTo("200");
            assertThat(whole.bodyStart()).isEqualTo("whole");
        }
    }

    /** HEADERS frame header (9 bytes) for stream 1 announcing {@code length} bytes, END_STREAM, no END_HEADERS. */
    private static byte[] headersFrameHeader(int length) {
        return new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, 0x1, 0x1, 0, 0, 0, 1};
    }

    @Test
    void headerBlockTrickledByteByByte_isResetAfterTheHeaderTimeout() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.raw(headersFrameHeader(40)).flush();
            // One byte of the block every 300 ms: far slower than the 1 s header timeout allows.
            long started = System.nanoTime();
            boolean ended = false;
            for (int i = 0; i < 30 && !ended; i++) {
                try {
                    raw.raw(new byte[] {(byte) 0x82}).flush();
                } catch (IOException closed) {
                    ended = true;
                    break;
                }
                ended = raw.readUntil(StreamTerminationIT::resetOrGoAway, 300);
            }
            assertThat(ended || raw.closed())
                    .as("stream reset or connection closed")
                    .isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5000);
        }
    }

    @Test
    void headerBlockContinuedSlowly_isResetAfterTheHeaderTimeout() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            // HEADERS with the method only (HPACK static index 2: ":method GET"), then nothing.
            raw.raw(headersFrameHeader(1)).raw(new byte[] {(byte) 0x82}).flush();

            assertThat(raw.readUntil(StreamTerminationIT::resetOrGoAway, 5000) || raw.closed())
                    .as("reset or closed within the header timeout")
                    .isTrue();
        }
    }

    private static boolean resetOrGoAway(List<String> events) {
        return events.stream().anyMatch(e -> e.startsWith("RST 1") || e.startsWith("GOAWAY"));
    }
}
