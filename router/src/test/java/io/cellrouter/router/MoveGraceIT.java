package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoReply;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.GrpcCell;
import io.cellrouter.router.testing.RouterExtension;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A moved customer's long-lived gRPC stream is ended after {@code admin.moveGracePeriod}, so its
 * client reconnects to the new cell, while another customer's stream on the same HTTP/2
 * connection (one grpc-java channel carries both) goes on untouched.
 */
class MoveGraceIT {

    private static final Duration GRACE = Duration.ofMillis(500);

    static GrpcCell grpc1;
    static GrpcCell grpc2;

    @BeforeAll
    static void startCells() throws Exception {
        grpc1 = GrpcCell.start("grpc-1");
        grpc2 = GrpcCell.start("grpc-2");
    }

    @AfterAll
    static void stopCells() {
        grpc1.close();
        grpc2.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "",
                    r ->
                            """
                              - name: grpc-1
                                endpoint: h2c://127.0.0.1:%d
                              - name: grpc-2
                                endpoint: h2c://127.0.0.1:%d
                            """
                                    .formatted(grpc1.port(), grpc2.port()),
                    """
                      alpha: grpc-1
                      beta: grpc-1
                    """)
            .admin(() -> "  moveGracePeriod: " + GRACE.toMillis() + "ms");

    private ManagedChannel channel;

    @AfterEach
    void closeChannel() {
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    /** A bidi stream whose replies and end land in queues the test awaits. */
    private static final class Stream {
        final BlockingQueue<EchoReply> replies = new LinkedBlockingQueue<>();
        final CompletableFuture<Status> end = new CompletableFuture<>();
        StreamObserver<EchoRequest> requests;

        EchoReply exchange(String text) throws InterruptedException {
            requests.onNext(EchoRequest.newBuilder().setText(text).build());
            return replies.poll(10, TimeUnit.SECONDS);
        }
    }

    private Stream open(String customer) {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER), customer);
        Stream stream = new Stream();
        stream.requests = EchoGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                .bidi(new StreamObserver<>() {
                    @Override
                    public void onNext(EchoReply value) {
                        stream.replies.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        stream.end.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        stream.end.complete(Status.OK);
                    }
                });
        return stream;
    }

    @Test
    void movedCustomersBidiStream_isClosedAfterTheGracePeriod_whileAnotherCustomersStreamOnTheSameConnectionContinues()
            throws Exception {
        channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.server().proxyAddress().getPort())
                .usePlaintext()
                .build();
        Stream alpha = open("alpha");
        Stream beta = open("beta");
        assertThat(alpha.exchange("a1").getCell()).isEqualTo("grpc-1");
        assertThat(beta.exchange("b1").getCell()).isEqualTo("grpc-1");
        assertThat(activeAt("grpc-1"))
                .as("both streams are under way at grpc-1")
                .isEqualTo(2.0);

        long movedAt = System.nanoTime();
        HttpResponse<String> move = router.client()
                .send(
                        HttpRequest.newBuilder(router.admin("/admin/v1/customers/alpha/move"))
                                .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"toCell\":\"grpc-2\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(move.statusCode()).isEqualTo(200);

        // Within the grace period the moved stream still works, on its old cell.
        assertThat(alpha.exchange("a2").getCell()).isEqualTo("grpc-1");
        Status ended = alpha.end.get(10, TimeUnit.SECONDS);
        Duration afterMove = Duration.ofNanos(System.nanoTime() - movedAt);

        assertThat(ended.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(afterMove).isGreaterThanOrEqualTo(GRACE);
        assertThat(beta.end).isNotDone();
        assertThat(beta.exchange("b2").getCell()).isEqualTo("grpc-1");
        beta.requests.onCompleted();
        assertThat(beta.end.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);

        Stream again = open("alpha"); // the client reconnects: same channel, the new cell
        assertThat(again.exchange("a3").getCell()).isEqualTo("grpc-2");
        assertThat(activeAt("grpc-2")).isEqualTo(1.0);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activeAt("grpc-1") == 0.0);
        again.requests.onCompleted();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activeAt("grpc-2") == 0.0);
    }

    /** {@code cellrouter_cell_requests_active} of one cell, from the admin port's /metrics. */
    private double activeAt(String cell) throws Exception {
        String metrics = router.client()
                .send(HttpRequest.newBuilder(router.admin("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "(?m)^cellrouter_cell_requests_active\\{cell=\"" + cell + "\"[^}]*} (\\S+)$")
                .matcher(metrics);
        assertThat(m.find())
                .as("cellrouter_cell_requests_active of %s in /metrics", cell)
                .isTrue();
        return Double.parseDouble(m.group(1));
    }
}
