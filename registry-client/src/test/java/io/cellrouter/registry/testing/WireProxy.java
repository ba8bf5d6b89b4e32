package io.cellrouter.registry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP pass-through in front of a DynamoDB endpoint that sees every call at the wire: it counts
 * them by operation ({@code X-Amz-Target}: GetItem, Query, ...) and can answer the next ones itself
 * with an error (a 500, a throttling 400), hold them unanswered (a store that hangs), or forward
 * chosen ones and lose the answer (a write that landed, answered with an error).
 */
public final class WireProxy implements AutoCloseable {

    /** The 400 that DynamoDB sends when it throttles; the SDK retries it. */
    public static final String THROTTLING =
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\",\"message\":\"Rate exceeded\"}";

    public static final String INTERNAL_ERROR =
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"injected\"}";

    private static final Set<String> NOT_FORWARDED =
            Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding", "keep-alive");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "wire-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    /** Every call's operation and request body, in arrival order. */
    private final List<Map.Entry<String, String>> journal = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger passFirst = new AtomicInteger();
    private volatile int failureStatus;
    private volatile String failureBody;
    private volatile CompletableFuture<Void> hold = CompletableFuture.completedFuture(null);
    private volatile LostAnswers lostAnswers = new LostAnswers("", "", new AtomicInteger(), 0, "");

    private WireProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public static WireProxy to(URI target) throws IOException {
        return new WireProxy(target);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Calls seen of one operation ({@code "Query"}), answered by the target or not. */
    public long calls(String operation) {
        AtomicLong count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Calls seen of one operation whose request body contains {@code bodyContaining} (a key, say). */
    public long calls(String operation, String bodyContaining) {
        return journal.stream()
                .filter(call ->
                        call.getKey().equals(operation) && call.getValue().contains(bodyContaining))
                .count();
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public Map<String, Long> callsByOperation() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        calls.forEach((operation, count) -> copy.put(operation, count.get()));
        return copy;
    }

    public void resetCounts() {
        calls.clear();
        journal.clear();
    }

    /** The next {@code count} calls are answered with {@code status} and {@code body}, not forwarded. */
    public void failNext(int count, int status, String body) {
        failureStatus = status;
        failureBody = body;
        failures.set(count);
    }

    /** The next {@code passing} calls are forwarded, then the {@code count} after them fail as in {@link #failNext}. */
    public void failAfter(int passing, int count, int status, String body) {
        passFirst.set(passing);
        failNext(count, status, body);
    }

    /**
     * The next {@code count} calls of {@code operation} whose request body contains {@code
     * bodyContaining} reach the target, which acts on them; their answer is then replaced by {@code
     * status} and {@code body}, as if it had been lost on its way back.
     */
    public void forwardThenFail(int count, String operation, String bodyContaining, int status, String body) {
        lostAnswers = new LostAnswers(operation, bodyContaining, new AtomicInteger(count), status, body);
    }

    /** From now on calls are held unanswered, until {@link #release}. */
    public void hang() {
        hold = new CompletableFuture<>();
    }

    /** Lets held and later calls through again. */
    public void release() {
        hold.complete(null);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String targetHeader = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = targetHeader == null ? "(none)" : targetHeader.substring(targetHeader.indexOf('.') + 1);
            calls.computeIfAbsent(operation, key -> new AtomicLong()).incrementAndGet();
            byte[] body = readAll(exchange.getRequestBody());
            journal.add(Map.entry(operation, new String(body, StandardCharsets.UTF_8)));
            try {
                hold.join();
            } catch (RuntimeException e) {
                return;
            }
            LostAnswers lost = lostAnswers;
            if (lost.matches(operation, body)) {
                if (forward(exchange, body) != null) {
                    respond(exchange, lost.status(), lost.body().getBytes(StandardCharsets.UTF_8), Map.of());
                }
                return;
            }
            boolean passes = passFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
            if (!passes && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                respond(exchange, failureStatus, failureBody.getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            HttpResponse<byte[]> response = forward(exchange, body);
            if (response != null) {
                respond(
                        exchange,
                        response.statusCode(),
                        response.body(),
                        response.headers().map());
            }
        }
    }

    /** Sends the call on to the target; null when it failed (then answered 502) or was interrupted. */
    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            respond(exchange, 502, new byte[0], Map.of());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body, Map<String, List<String>> headers)
            throws IOException {
        headers.forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private record LostAnswers(
            String operation, String bodyContaining, AtomicInteger remaining, int status, String body) {

        boolean matches(String calledOperation, byte[] requestBody) {
            return operation.equals(calledOperation)
                    && new String(requestBody, StandardCharsets.UTF_8).contains(bodyContaining)
                    && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
