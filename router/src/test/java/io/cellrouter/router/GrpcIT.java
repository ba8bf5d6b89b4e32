package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoReply;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.cellrouter.router.testing.GrpcCell;
import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RouterExtension;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * grpc-java clients through the router to grpc-java cells: all four call kinds, deadlines,
 * cancellation, and the router's own errors as trailers-only responses (README: How a request is routed).
 * grpc-1 is an {@code h2c://} cell; grpc-2 an {@code http://} cell (gRPC still goes over HTTP/2).
 */
class GrpcIT {

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
                        endpoint: http://127.0.0.1:%d
                      - name: grpc-dead
                        endpoint: h2c://127.0.0.1:1
                    """
                            .formatted(grpc1.port(), grpc2.port()),
            """
              alpha: grpc-1
              beta: grpc-2
              gamma: grpc-dead
            """);

    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(ManagedChannel::shutdownNow);
    }

    private EchoGrpc.EchoBlockingStub blocking(String customer) {
        return EchoGrpc.newBlockingStub(channel()).withInterceptors(customer(customer));
    }

    private EchoGrpc.EchoStub async(String customer) {
        return EchoGrpc.newStub(channel()).withInterceptors(customer(customer));
    }

    private ManagedChannel channel() {
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", router.server().proxyAddress().getPort())
                .usePlaintext()
                .build();
        channels.add(channel);
        return channel;
    }

    private static io.grpc.ClientInterceptor customer(String customer) {
        Metadata metadata = new Metadata();
        if (customer != null) {
            metadata.put(Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER), customer);
        }
        return MetadataUtils.newAttachHeadersInterceptor(metadata);
    }

    private static EchoRequest request(String text) {
        return EchoRequest.newBuilder().setText(text).build();
    }

    @Test
    void unary_reachesTheCustomersCell() {
        assertThat(blocking("alpha").unary(request("hi")).getCell()).isEqualTo("grpc-1");
        assertThat(blocking("beta").unary(request("hi")).getCell()).isEqualTo("grpc-2");
    }

    @Test
    void unary_metadataReachesTheCell_withRouterHeaders() {
        blocking("alpha").unary(request("hi"));

        Metadata atCell = grpc1.metadata().get(grpc1.metadata().size() - 1);
        assertThat(atCell.get(Metadata.Key.of("x-cell-router-cell", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("grpc-1");
        assertThat(atCell.get(Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER)))
                .isEqualTo("alpha");
    }

    @Test
    void serverStreaming_allRepliesArriveInOrder() {
        Iterator<EchoReply> replies = blocking("beta")
                .serverStream(
                        EchoRequest.newBuilder().setText("s").setCount(500).build());

        long expected = 0;
        while (replies.hasNext()) {
            EchoReply reply = replies.next();
            assertThat(reply.getCell()).isEqualTo("grpc-2");
            assertThat(reply.getSeq()).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(500);
    }

    @Test
    void clientStreaming_allMessagesArrive() throws Exception {
        CompletableFuture<EchoReply> result = new CompletableFuture<>();
        StreamObserver<EchoRequest> requests = async("alpha").clientStream(observer(result, new ArrayList<>()));
        for (int i = 0; i < 2000; i++) {
            requests.onNext(EchoRequest.newBuilder().setSeq(i).setText("m" + i).build());
        }
        requests.onCompleted();

        EchoReply reply = result.get(30, TimeUnit.SECONDS);
        assertThat(reply.getCell()).isEqualTo("grpc-1");
        assertThat(reply.getReceived()).isEqualTo(2000);
    }

    @Test
    void bidi_tenThousandMessages_arriveIntactAndInOrder() throws Exception {
        CompletableFuture<EchoReply> done = new CompletableFuture<>();
        List<EchoReply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
        StreamObserver<EchoRequest> requests = async("beta").bidi(observer(done, replies));
        for (int i = 0; i < 10_000; i++) {
            requests.onNext(
                    EchoRequest.newBuilder().setSeq(i).setText("payload-" + i).build());
        }
        requests.onCompleted();

        done.get(60, TimeUnit.SECONDS);
        assertThat(replies).hasSize(10_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(replies.get(i).getSeq()).isEqualTo(i);
            assertThat(replies.get(i).getText()).isEqualTo("payload-" + i);
            assertThat(replies.get(i).getCell()).isEqualTo("grpc-2");
        }
    }

    @Test
    void deadline_travelsToTheCell_andSurfacesAsDeadlineExceeded() {
        // One channel for the warm-up and the call: the client's connection to the router and the
        // router's to the cell are up before the deadline starts, so it covers this call's trip only.
        EchoGrpc.EchoBlockingStub stub = blocking("alpha");
        stub.unary(request("warm up both connections"));
        int seenBefore = grpc1.deadlines().size();
        // Long enough for the call to reach the cell on a loaded machine; the cell answers far later.
        Deadline deadline = Deadline.after(2, TimeUnit.SECONDS);

        assertThatThrownBy(() -> stub.withDeadline(deadline)
                        .unary(EchoRequest.newBuilder().setSleepMs(60_000).build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        await().atMost(Duration.ofSeconds(5)).until(() -> grpc1.deadlines().size() > seenBefore);
        // The cell's deadline is the client's (grpc-timeout is relative, so later by the trip's time,
        // well under a second), not missing and not a default of the router's.
        Deadline atCell = grpc1.deadlines().get(seenBefore);
        assertThat(atCell).isBetween(deadline.offset(-50, TimeUnit.MILLISECONDS), deadline.offset(1, TimeUnit.SECONDS));
    }

    @Test
    void clientCancel_reachesTheCell() throws Exception {
        int before = grpc1.cancellations();
        CountDownLatch first = new CountDownLatch(1);
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        context.run(() -> async("alpha")
                .serverStream(
                        EchoRequest.newBuilder().setCount(1_000).setSleepMs(20).build(), new StreamObserver<>() {
                            @Override
                            public void onNext(EchoReply value) {
                                first.countDown();
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onCompleted() {}
                        }));
        assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();

        context.cancel(null);

        await().atMost(Duration.ofSeconds(10)).until(() -> grpc1.cancellations() > before);
    }

    @Test
    void unknownCustomer_isNotFound() {
        assertStatus(() -> blocking("nobody").unary(request("x")), Status.Code.NOT_FOUND);
    }

    @Test
    void noIdentity_isUnauthenticated() {
        assertStatus(() -> blocking(null).unary(request("x")), Status.Code.UNAUTHENTICATED);
    }

    @Test
    void cellDown_isUnavailable() {
        assertStatus(() -> blocking("gamma").unary(request("x")), Status.Code.UNAVAILABLE);
    }

    @Test
    void routerErrors_areTrailersOnlyResponses() throws Exception {
        try (H2Client client = new H2Client(router.server().proxyAddress())) {
            for (String[] c : new String[][] {{"nobody", "5"}, {"gamma", "14"}, {null, "16"}}) {
                var headers = H2Client.request(
                        "POST", "/cellrouter.test.Echo/Unary", "content-type", "application/grpc", "te", "trailers");
                if (c[0] != null) {
                    headers.add("x-customer-id", c[0]);
                }
                H2Client.Response response =
                        client.send(headers, new byte[] {0, 0, 0, 0, 0}).get(10, TimeUnit.SECONDS);

                assertThat(response.trailersOnly()).as("customer %s", c[0]).isTrue();
                assertThat(response.status()).isEqualTo("200");
                assertThat(response.header("content-type")).isEqualTo("application/grpc");
                assertThat(response.header("grpc-status")).isEqualTo(c[1]);
                assertThat(response.header("grpc-message")).isNotBlank();
            }
        }
    }

    private static void assertStatus(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                        e.getStatus().getCode())
                .isEqualTo(code));
    }

    private static StreamObserver<EchoReply> observer(CompletableFuture<EchoReply> result, List<EchoReply> all) {
        return new StreamObserver<>() {
            EchoReply last;

            @Override
            public void onNext(EchoReply value) {
                last = value;
                all.add(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(last);
            }
        };
    }
}
