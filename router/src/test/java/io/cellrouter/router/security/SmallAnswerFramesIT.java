package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.H2TestCell;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import io.netty.handler.codec.http2.Http2Settings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cell that answers in tiny DATA frames (a faulty one, or a gRPC stream of small messages) to a
 * client that takes nothing cannot make the router hold a frame's worth of objects for every byte.
 * Flow control counts bytes, and the router acknowledges a cell's bytes only once its client took
 * them, so the router holds a stream window (64 KiB) per stream: kept frame by frame, 1-byte
 * frames made that 65,536 buffers and write promises, about a hundred times the bytes in heap (100
 * streams of one client connection: hundreds of MiB). Held joined, they are what their bytes are.
 * The cell is an h2c test cell whose {@code /tiny/N} answers N bytes in 1-byte frames, each flushed
 * on its own; each answer is smaller than the window, so all of it reaches the router while the
 * client reads nothing. The test measures the heap the router then holds (a full collection before
 * and after; the test's own objects are small beside it), then the client reads every answer and
 * checks every byte and its order.
 */
@Timeout(60)
class SmallAnswerFramesIT {

    private static final int ANSWER = 60_000;
    private static final int STREAMS = 16;

    private final H2TestCell h2Cell = H2TestCell.started("h2");

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
            "", r -> "  - name: h2\n    endpoint: h2c://127.0.0.1:" + h2Cell.port() + "\n", "  mallory: h2\n");

    @AfterEach
    void stopCell() {
        h2Cell.close();
    }

    @Test
    void tinyFramesForAnHttp2ClientThatReadsNothing_areHeldJoined() throws Exception {
        long before = heapAfterCollection();
        try (RawH2 mallory = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            for (int i = 0; i < STREAMS; i++) {
                mallory.headers(
                        2 * i + 1, H2Client.request("GET", "/tiny/" + ANSWER, "x-customer-id", "mallory"), true);
            }
            mallory.flush();
            await().atMost(Duration.ofSeconds(40)).until(() -> h2Cell.bigBytesSent() >= (long) STREAMS * ANSWER);

            long held = heapAfterCollection() - before;
            assertThat(held)
                    .as("heap the router holds for %d answers of %d bytes in 1-byte frames", STREAMS, ANSWER)
                    .isLessThan(8L * STREAMS * ANSWER);

            mallory.windowUpdate(0, Integer.MAX_VALUE - 65_535);
            for (int i = 0; i < STREAMS; i++) {
                mallory.windowUpdate(2 * i + 1, Integer.MAX_VALUE);
            }
            mallory.flush();
            for (int i = 0; i < STREAMS; i++) {
                int stream = 2 * i + 1;
                List<String> answer = mallory.readStream(stream, 15_000);
                assertThat(answer).first().isEqualTo("HEADERS " + stream + " 200");
                assertThat(answer).last().asString().matches("DATA " + stream + " \\d+ end");
                assertThat(mallory.body(stream)).as("stream %d", stream).isEqualTo(expectedBody());
            }
        }
    }

    /**
     * An answer larger than the window: once the client opens its window, the joined bytes go
     * first and what the client took is acknowledged to the cell, which sends the rest.
     */
    @Test
    void anAnswerLongerThanTheWindow_goesOnOnceTheClientReads() throws Exception {
        int size = 3 * ANSWER;
        try (RawH2 client = new RawH2(router.server().proxyAddress(), new Http2Settings().initialWindowSize(0))) {
            client.headers(1, H2Client.request("GET", "/tiny/" + size, "x-customer-id", "mallory"), true)
                    .flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> h2Cell.bigBytesSent() >= ANSWER);

            client.windowUpdate(0, Integer.MAX_VALUE - 65_535)
                    .windowUpdate(1, Integer.MAX_VALUE)
                    .flush();
            List<String> answer = client.readStream(1, 20_000);

            assertThat(answer).last().asString().matches("DATA 1 \\d+ end");
            assertThat(client.body(1)).isEqualTo(expectedBody(size));
        }
    }

    /** The heap in use after a full collection (the cell, the client and the router share this JVM). */
    private static long heapAfterCollection() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String expectedBody() {
        return expectedBody(ANSWER);
    }

    private static String expectedBody(int size) {
        StringBuilder s = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            s.append((char) ('a' + i % 26));
        }
        return s.toString();
    }
}
