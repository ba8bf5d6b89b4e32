package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cell may close a keep-alive connection as idle just as the router sends a request on it: the
 * race every keep-alive client meets. The router sends an idempotent request once more, on a new
 * connection, when a reused connection ends without a byte of its answer; anything else is 502.
 * The scripted cell ("sc", one event loop in the router, so one pool) closes whichever
 * connection the script says, after reading the request, without answering.
 */
@Timeout(60)
class IdleCloseRetryIT {

    private ScriptedCell cell;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCell(), "  alice: sc\n")
            .proxy(() -> "  eventLoops: 1\n  upstream:\n    connectTimeout: 1s\n    responseTimeout: 5s");

    private String startCell() {
        try {
            cell = new ScriptedCell(request -> Answer.of(ScriptedCell.ok("hello " + request.target())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "  - name: sc\n    endpoint: " + cell.endpoint() + "\n";
    }

    @AfterEach
    void stopCell() {
        cell.close();
    }

    /** Ends the connection without a byte of answer: a close, or a reset. */
    private static Answer hangUp(boolean reset) {
        return new Answer(new byte[0], true, reset);
    }

    /** The cell hangs up on every request to {@code doomed} paths, answers the others. */
    private void hangUpOn(Predicate<ScriptedCell.Request> doomed, boolean reset) {
        cell.script(request ->
                doomed.test(request) ? hangUp(reset) : Answer.of(ScriptedCell.ok("hello " + request.target())));
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(router.proxy(path))
                .header("x-customer-id", "alice")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return router.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> received() {
        return cell.received().stream()
                .map(r -> r.method() + " " + r.target() + " #" + r.connection())
                .toList();
    }

    @ParameterizedTest(name = "reset={0}")
    @ValueSource(booleans = {false, true})
    void idempotentRequest_reusedConnectionEndsUnanswered_isSentOnceMoreOnANewConnection(boolean reset)
            throws Exception {
        assertThat(send("GET", "/first", null).statusCode()).isEqualTo(200);
        hangUpOn(r -> r.connection() == 1 && r.target().equals("/second"), reset);

        HttpResponse<String> second = send("GET", "/second", null);

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("hello /second");
        assertThat(received()).containsExactly("GET /first #1", "GET /second #1", "GET /second #2");
    }

    @Test
    void putAndDeleteAndHead_areIdempotent_andSentOnceMore() throws Exception {
        assertThat(send("GET", "/first", null).statusCode()).isEqualTo(200);
        // Every connection is closed as idle when its second request arrives.
        hangUpOn(
                r -> cell.received().stream()
                                .filter(o -> o.connection() == r.connection())
                                .count()
                        > 1,
                false);

        assertThat(send("PUT", "/put", "the body").statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/delete", null).statusCode()).isEqualTo(200);
        assertThat(send("HEAD", "/head", null).statusCode()).isEqualTo(200);

        assertThat(received())
                .containsExactly(
                        "GET /first #1",
                        "PUT /put #1",
                        "PUT /put #2",
                        "DELETE /delete #2",
                        "DELETE /delete #3",
                        "HEAD /head #3",
                        "HEAD /head #4");
    }

    @Test
    void post_reusedConnectionEndsUnanswered_isNotSentAgain_502() throws Exception {
        assertThat(send("GET", "/first", null).statusCode()).isEqualTo(200);
        hangUpOn(r -> r.target().equals("/order"), false);

        HttpResponse<String> order = send("POST", "/order", "one pizza");

        assertThat(order.statusCode()).isEqualTo(502);
        assertThat(order.body()).contains("cell_unreachable").contains("closed the connection before responding");
        assertThat(received()).containsExactly("GET /first #1", "POST /order #1");
    }

    @Test
    void postWithAnIdempotencyKey_isSentOnceMore() throws Exception {
        assertThat(send("GET", "/first", null).statusCode()).isEqualTo(200);
        hangUpOn(r -> r.connection() == 1 && r.target().equals("/order"), false);

        HttpResponse<String> order = send("POST", "/order", "one pizza", "Idempotency-Key", "k-42");

        assertThat(order.statusCode()).isEqualTo(200);
        assertThat(received()).containsExactly("GET /first #1", "POST /order #1", "POST /order #2");
        assertThat(cell.received().get(2).header("idempotency-key")).isEqualTo("k-42");
    }

    @Test
    void newConnectionEndsUnanswered_isNotSentAgain_502() throws Exception {
        hangUpOn(r -> true, false);

        HttpResponse<String> first = send("GET", "/first", null);

        assertThat(first.statusCode()).isEqualTo(502);
        assertThat(received()).containsExactly("GET /first #1");
    }

    @Test
    void retryEndsUnansweredToo_502_afterTwoTries() throws Exception {
        assertThat(send("GET", "/first", null).statusCode()).isEqualTo(200);
        hangUpOn(r -> r.target().equals("/second"), false);

        HttpResponse<String> second = send("GET", "/second", null);

        assertThat(second.statusCode()).isEqualTo(502);
        assertThat(received()).containsExactly("GET /first #1", "GET /second #1", "GET /second #2");
    }

    @Test
    void cellThatBeganItsAnswer_thenClosed_isNotSentAgain_502() throws Exception {
        assertThat(send("GET", "/first", null).statusCode()).isEqualTo(200);
        cell.script(request -> request.target().equals("/second")
                ? new Answer(
                        "HTTP/1.1 200 OK\r\nContent-Le".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                        true,
                        false)
                : Answer.of(ScriptedCell.ok("hello " + request.target())));

        HttpResponse<String> second = send("GET", "/second", null);

        assertThat(second.statusCode()).isEqualTo(502);
        assertThat(received()).containsExactly("GET /first #1", "GET /second #1");
    }

    @Test
    void everyIdleConnectionClosing_theRetryTakesANewOne_notAnotherIdleOne() throws Exception {
        // Two requests in flight at once leave two idle connections (#1, #2) in the pool.
        CountDownLatch both = new CountDownLatch(2);
        cell.script(request -> {
            both.countDown();
            try {
                assertThat(both.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.of(ScriptedCell.ok("hello " + request.target()));
        });
        CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> quietly("/a"));
        CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> quietly("/b"));
        assertThat(a.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(b.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(cell.connections()).isEqualTo(2);
        // Both now close as idle when next used.
        hangUpOn(r -> r.connection() <= 2, false);

        HttpResponse<String> next = send("GET", "/next", null);

        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(received()).endsWith("GET /next #3");
        assertThat(received().stream().filter(r -> r.startsWith("GET /next")).count())
                .isEqualTo(2);
    }

    @Test
    void http2Client_idempotentRequest_isSentOnceMoreOnANewConnection_postIsNot() throws Exception {
        try (H2Client h2 = new H2Client(router.server().proxyAddress())) {
            assertThat(h2Send(h2, "GET", "/first").status()).isEqualTo("200");
            hangUpOn(r -> r.connection() == 1 && !r.target().equals("/first"), false);

            H2Client.Response second = h2Send(h2, "GET", "/second");
            assertThat(second.status()).isEqualTo("200");
            assertThat(second.bodyStart()).isEqualTo("hello /second");

            hangUpOn(r -> r.connection() == 2 && !r.target().equals("/second"), false);
            assertThat(h2Send(h2, "POST", "/order").status()).isEqualTo("502");
        }
        assertThat(received()).containsExactly("GET /first #1", "GET /second #1", "GET /second #2", "POST /order #2");
    }

    private static H2Client.Response h2Send(H2Client h2, String method, String path) throws Exception {
        return h2.send(H2Client.request(method, path, "x-customer-id", "alice"), null)
                .get(20, TimeUnit.SECONDS);
    }

    private HttpResponse<String> quietly(String path) {
        try {
            return send("GET", path, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
