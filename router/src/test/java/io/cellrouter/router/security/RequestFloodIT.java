package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An HTTP/1.1 client cannot make the router hold without bound what it sends in one go:
 * <ul>
 *   <li>at most 32 pipelined requests wait for the exchange under way; a client that sends more
 *       gets the answer under way, then its connection closes, and no cell sees the rest;
 *   <li>a client that takes none of its answers is not read further (the router's own answers,
 *       a 401 for each request without identity, are not piled up without end), and its
 *       connection closes after {@code proxy.idleTimeout}.
 * </ul>
 * The cells are the test cells of the router extension (acme on cell-1).
 */
@Timeout(60)
class RequestFloodIT {

    private static final long IDLE_MILLIS = 1000;

    @RegisterExtension
    final RouterExtension router = new RouterExtension().proxy(() -> "  idleTimeout: " + IDLE_MILLIS + "ms\n");

    private static String get(String path, String headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: router\r\n" + headers + "\r\n";
    }

    @Test
    void pipelinedRequestsWithinTheLimit_areAllServedInOrder() throws Exception {
        StringBuilder requests = new StringBuilder(get("/slow?ms=200", "x-customer-id: acme\r\n"));
        for (int i = 1; i <= 32; i++) {
            requests.append(get("/p" + i, "x-customer-id: acme\r\n"));
        }
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            RawHttp.write(socket, requests.toString());
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.read(in).status()).isEqualTo(200);
            for (int i = 1; i <= 32; i++) {
                RawHttp.Response response = RawHttp.read(in);
                assertThat(response.status()).as("answer %d", i).isEqualTo(200);
                assertThat(response.body()).as("answer %d", i).contains("\"path\":\"/p" + i + "\"");
            }
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(33);
    }

    @Test
    void moreThan32PipelinedRequests_getTheAnswerUnderWay_thenTheConnectionCloses() throws Exception {
        StringBuilder requests = new StringBuilder(get("/slow?ms=200", "x-customer-id: acme\r\n"));
        for (int i = 1; i <= 3000; i++) {
            // Requests the router would answer itself (401, no identity): a deep chain of answers.
            requests.append(get("/p" + i, ""));
        }
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            RawHttp.write(socket, requests.toString());
            InputStream in = socket.getInputStream();

            RawHttp.Response first = RawHttp.read(in);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("connection")).isEqualToIgnoringCase("close");
            assertThat(endOfConnection(in))
                    .as("the connection closed after the first answer")
                    .isTrue();
        }
        assertThat(router.cell("cell-1").requestCount()).isEqualTo(1);
        // The router is fine: the next client is served.
        assertThat(router.get("acme", "/after").statusCode()).isEqualTo(200);
    }

    /**
     * Whether the connection ends here, with an EOF: the router half-closes and drops the client's
     * unread requests (a lingering close), so its kernel does not reset the connection.
     */
    private static boolean endOfConnection(InputStream in) throws IOException {
        return in.read() == -1;
    }

    /**
     * 5 MB of requests without identity (200,000 of them) from a client that reads nothing. Before,
     * the router read them all and queued 200,000 answers (about 50 MB) for a client that took none.
     * Now it stops reading once its answers back up (what the kernel's buffers hold, tens of
     * thousands at most), and the idle timeout closes the connection.
     */
    @Test
    void clientThatTakesNoAnswers_isNotReadFurther_andIsClosedWhenIdle() throws Exception {
        byte[] request = get("/", "").getBytes(StandardCharsets.ISO_8859_1);
        int count = 200_000;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(router.server().proxyAddress(), 10_000);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                byte[] batch = new byte[request.length * 100];
                for (int i = 0; i < 100; i++) {
                    System.arraycopy(request, 0, batch, i * request.length, request.length);
                }
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < count / 100; i++) {
                        out.write(batch);
                    }
                } catch (IOException closedUnderIt) {
                    // the router closed the connection while the client was still writing
                }
            });
            writer.get(30, TimeUnit.SECONDS);
            // Only now does the client read: to the end of the connection, which the router closes.
            socket.setSoTimeout(20_000);
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[64 * 1024];
            try {
                while (in.read(sink) >= 0) {
                    // what the router had answered
                }
            } catch (IOException reset) {
                // closed with unread requests behind it: a reset
            }
        }

        assertThat(answeredWithoutIdentity())
                .as("requests the router read and answered for a client that took no answer")
                .isGreaterThan(0)
                .isLessThan(count / 2);
    }

    private long answeredWithoutIdentity() throws Exception {
        String metrics = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("cellrouter_requests_total\\{[^}]*outcome=\"missing_identity\"[^}]*} ([0-9.E]+)")
                .matcher(metrics);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return (long) total;
    }
}
