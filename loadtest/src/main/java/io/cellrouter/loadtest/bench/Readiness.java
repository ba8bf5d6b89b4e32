package io.cellrouter.loadtest.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Free loopback ports, and waiting (bounded) until a started server answers. */
public final class Readiness {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private Readiness() {}

    /** A port that was free a moment ago (the usual small race; the child fails loudly if lost). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    /**
     * Polls {@code url} (with header {@code customerHeader: customer} when not null) every 100 ms
     * until it answers 200, the child dies, or {@code timeout} passes.
     */
    public static void awaitHttp200(
            ChildProcesses.Child child, URI url, String customerHeader, String customer, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!child.process().isAlive()) {
                throw new IllegalStateException(child.name() + " exited with "
                        + child.process().exitValue() + "; its log (" + child.log() + "):\n" + child.logTail());
            }
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(url)
                        .timeout(Duration.ofSeconds(1))
                        .GET();
                if (customerHeader != null) {
                    request.header(customerHeader, customer);
                }
                HttpResponse<Void> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "status " + response.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(child.name() + " not ready at " + url + " after " + timeout.toSeconds() + " s ("
                + last + "); its log (" + child.log() + "):\n" + child.logTail());
    }

    /**
     * Polls every 100 ms until a TCP connection to {@code 127.0.0.1:port} is accepted, the child
     * dies, or {@code timeout} passes: for servers that speak no HTTP/1.1 (h2c only, gRPC).
     */
    public static void awaitPort(ChildProcesses.Child child, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!child.process().isAlive()) {
                throw new IllegalStateException(child.name() + " exited with "
                        + child.process().exitValue() + "; its log (" + child.log() + "):\n" + child.logTail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(child.name() + " not listening on port " + port + " after "
                + timeout.toSeconds() + " s (" + last + "); its log (" + child.log() + "):\n" + child.logTail());
    }
}
