package io.cellrouter.loadtest.load;

import com.google.protobuf.ByteString;
import io.cellrouter.loadtest.grpc.proto.EchoGrpc;
import io.cellrouter.loadtest.grpc.proto.EchoReply;
import io.cellrouter.loadtest.grpc.proto.EchoRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java channel (one HTTP/2 connection) calling {@code cellrouter.loadtest.Echo}, with at
 * most {@code --streams} requests in flight.
 *
 * <ul>
 *   <li>{@code unary} and {@code server-stream}: one call per request, with a deadline at the
 *       request's intended time plus the timeout (so a late send has less time, as it should).
 *   <li>{@code bidi}: one long-lived call; a request is one message, its answer the echo, matched in
 *       order. The stream's customer is the one drawn for its first message.
 * </ul>
 *
 * <p>Threads: grpc-java calls back on its own transport threads ({@code directExecutor}); every
 * callback hops to the dispatcher's loop before touching state, as the dispatcher requires.
 */
final class GrpcConnection extends ClientConnection {

    private final LoadPlan plan;
    private final Metadata.Key<String> identityKey;
    private final EchoRequest request;
    private ManagedChannel channel;
    private boolean up;
    private int inFlight;
    private ClientCall<EchoRequest, EchoReply> bidi;
    private final ArrayDeque<long[]> bidiPending = new ArrayDeque<>();

    GrpcConnection(Dispatcher dispatcher, URI target) {
        super(dispatcher, target);
        this.plan = dispatcher.plan();
        this.identityKey = Metadata.Key.of(plan.identities().headerName(), Metadata.ASCII_STRING_MARSHALLER);
        this.request = EchoRequest.newBuilder()
                .setPayload(ByteString.copyFrom(new byte[plan.payloadBytes()]))
                .setReplies(plan.grpcCall() == GrpcCall.SERVER_STREAM ? plan.grpcReplies() : 0)
                .build();
    }

    @Override
    void connect() {
        if (channel == null) {
            channel = NettyChannelBuilder.forAddress(target.getHost(), LoadPlan.port(target))
                    .usePlaintext()
                    .directExecutor()
                    .build();
            // Connect now rather than on the first call, so the first requests do not pay for it.
            channel.getState(true);
        }
        up = true;
        onLoop(() -> dispatcher.onUp(this));
    }

    @Override
    boolean isUp() {
        return up;
    }

    @Override
    boolean hasCapacity() {
        return up && inFlight < plan.streamsPerConnection();
    }

    @Override
    void send(long intendedNanos, int customer) {
        inFlight++;
        Metadata headers = new Metadata();
        headers.put(identityKey, plan.identities().value(customer));
        if (plan.grpcCall() == GrpcCall.BIDI) {
            sendOnBidi(intendedNanos, headers);
            return;
        }
        long remaining = plan.timeout().toNanos() - (System.nanoTime() - intendedNanos);
        MethodDescriptor<EchoRequest, EchoReply> method =
                plan.grpcCall() == GrpcCall.UNARY ? EchoGrpc.getUnaryMethod() : EchoGrpc.getServerStreamMethod();
        ClientCall<EchoRequest, EchoReply> call = channel.newCall(
                method, CallOptions.DEFAULT.withDeadlineAfter(Math.max(1, remaining), TimeUnit.NANOSECONDS));
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        onLoop(() -> finished(intendedNanos, status));
                    }
                },
                headers);
        call.request(plan.grpcReplies() + 1);
        call.sendMessage(request);
        call.halfClose();
    }

    private void finished(long intendedNanos, Status status) {
        inFlight--;
        if (status.isOk()) {
            dispatcher.onResponse(this, intendedNanos, 200);
        } else {
            dispatcher.onError(this, intendedNanos, kind(status));
        }
    }

    private void sendOnBidi(long intendedNanos, Metadata headers) {
        if (bidi == null) {
            ClientCall<EchoRequest, EchoReply> call = channel.newCall(EchoGrpc.getBidiMethod(), CallOptions.DEFAULT);
            bidi = call;
            call.start(
                    new ClientCall.Listener<>() {
                        @Override
                        public void onMessage(EchoReply message) {
                            onLoop(() -> bidiReply(call));
                        }

                        @Override
                        public void onClose(Status status, Metadata trailers) {
                            onLoop(() -> bidiClosed(call, status));
                        }
                    },
                    headers);
        }
        bidiPending.addLast(new long[] {intendedNanos});
        bidi.request(1);
        bidi.sendMessage(request);
    }

    private void bidiReply(ClientCall<EchoRequest, EchoReply> call) {
        if (call != bidi || bidiPending.isEmpty()) {
            return;
        }
        long[] pending = bidiPending.pollFirst();
        inFlight--;
        dispatcher.onResponse(this, pending[0], 200);
    }

    private void bidiClosed(ClientCall<EchoRequest, EchoReply> call, Status status) {
        if (call != bidi) {
            return;
        }
        bidi = null;
        failBidi(status.isOk() ? ErrorKind.RESET : kind(status));
    }

    private void failBidi(String kind) {
        while (!bidiPending.isEmpty()) {
            long[] pending = bidiPending.pollFirst();
            inFlight--;
            dispatcher.onError(this, pending[0], kind);
        }
    }

    @Override
    void flush() {
        // grpc-java flushes by itself.
    }

    @Override
    void expire(long deadlineNanos, long nowNanos) {
        // Unary and server-stream calls carry their own deadlines; a bidi stream whose oldest
        // message is overdue is cancelled, and its pending messages fail with it.
        if (bidi != null && !bidiPending.isEmpty() && bidiPending.peekFirst()[0] < deadlineNanos) {
            ClientCall<EchoRequest, EchoReply> call = bidi;
            bidi = null;
            call.cancel("timeout", null);
            long[] oldest = bidiPending.pollFirst();
            inFlight--;
            dispatcher.onError(this, oldest[0], ErrorKind.TIMEOUT);
            failBidi(ErrorKind.RESET);
        }
    }

    @Override
    int inFlight() {
        return inFlight;
    }

    @Override
    void close() {
        up = false;
        if (bidi != null) {
            bidi.cancel("end of run", null);
            bidi = null;
        }
        if (channel != null) {
            channel.shutdownNow();
        }
    }

    /** Hops to the dispatcher's loop; after the run the loop is gone and late callbacks are dropped. */
    private void onLoop(Runnable task) {
        try {
            dispatcher.loop().execute(task);
        } catch (RejectedExecutionException e) {
            // The run is over.
        }
    }

    static String kind(Status status) {
        return switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> ErrorKind.TIMEOUT;
            case UNAVAILABLE ->
                hasCause(status.getCause(), ConnectException.class) ? ErrorKind.CONNECT : "grpc_unavailable";
            default -> "grpc_" + status.getCode().name().toLowerCase(Locale.ROOT);
        };
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
