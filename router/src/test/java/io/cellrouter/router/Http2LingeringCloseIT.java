package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An HTTP/2 client connection the router ends while the client is still sending: the router's
 * last frames and a clean end of stream must reach the client, not a reset. A client may send at
 * any moment (window updates as it reads, keep-alive PINGs, a new stream that crossed the
 * router's GOAWAY); a socket closed with such bytes unread sends a reset, the client's send fails,
 * and it may lose the GOAWAY that says which of its streams were never processed. Here the client
 * sends connection WINDOW_UPDATEs without pause from another thread while the router drains.
 */
@Timeout(60)
class Http2LingeringCloseIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @Test
    void drain_whileTheClientStillSends_endsWithTheLastFramesAndAnEndOfStream() throws Exception {
        try (RawH2 client = new RawH2(router.server().proxyAddress())) {
            client.headers(1, H2Client.request("GET", "/slow?ms=1500", "x-customer-id", "acme"), true)
                    .flush();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> router.cell("cell-1").requestCount() == 1);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<IOException> sendFailed = new AtomicReference<>();
            Thread sender = new Thread(() -> send(client, stop, sendFailed), "window-updates");
            sender.start();
            CompletableFuture<Boolean> drained =
                    CompletableFuture.supplyAsync(() -> router.server().drainAndStop(Duration.ofSeconds(10)));

            // Until the router's side ends: an end of stream, or a reset.
            client.readUntil(events -> false, 30_000);
            stop.set(true);
            sender.join(10_000);

            List<String> events = client.events();
            assertThat(client.closed()).as(events.toString()).isTrue();
            assertThat(client.wasReset())
                    .as("the connection ended with a reset: " + events)
                    .isFalse();
            assertThat(sendFailed.get()).as("the client's sending failed").isNull();
            assertThat(client.stream(1)).first().isEqualTo("HEADERS 1 200");
            assertThat(client.stream(1)).last().asString().matches("DATA 1 \\d+ end");
            assertThat(events).contains("GOAWAY 0 last=1");
            assertThat(drained.get()).as("nothing was cut off").isTrue();
        }
    }

    /** Connection WINDOW_UPDATEs of 1 byte, 256 to a write, until told to stop or the send fails. */
    private static void send(RawH2 client, AtomicBoolean stop, AtomicReference<IOException> failed) {
        byte[] updates = new byte[256 * 13];
        for (int i = 0; i < 256; i++) {
            int at = i * 13;
            updates[at + 2] = 4; // length 4
            updates[at + 3] = 8; // WINDOW_UPDATE, no flags, stream 0
            updates[at + 12] = 1; // increment 1
        }
        try {
            OutputStream out = client.rawOutput();
            while (!stop.get()) {
                out.write(updates);
            }
        } catch (IOException e) {
            failed.set(e);
        }
    }
}
