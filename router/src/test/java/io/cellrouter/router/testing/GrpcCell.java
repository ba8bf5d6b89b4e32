package io.cellrouter.router.testing;

import io.cellrouter.router.grpc.test.EchoGrpc;
import io.cellrouter.router.grpc.test.EchoReply;
import io.cellrouter.router.grpc.test.EchoRequest;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real grpc-java server playing a cell: every reply names the cell. Records the metadata and
 * deadline of each call (as its headers arrive) and counts cancellations it observed, for assertions.
 */
public final class GrpcCell implements AutoCloseable {

    private final String name;
    private final Server server;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger cancellations = new AtomicInteger();
    private final ConcurrentLinkedQueue<Metadata> metadata = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Deadline> deadlines = new ConcurrentLinkedQueue<>();

    private GrpcCell(String name, NettyServerBuilder builder) throws IOException {
        this.name = name;
        ServerInterceptor recorder = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                metadata.add(headers);
                // Recorded as the call's headers arrive, whether or not its message reaches the service.
                Deadline deadline = Context.current().getDeadline();
                if (deadline != null) {
                    deadlines.add(deadline);
                }
                return next.startCall(call, headers);
            }
        };
        this.server = builder.addService(ServerInterceptors.intercept(new EchoService(), recorder))
                .build()
                .start();
    }

    public static GrpcCell start(String name) throws IOException {
        return new GrpcCell(name, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    }

    /** A cell that speaks TLS (ALPN h2) with the given certificate chain and key (PEM files). */
    public static GrpcCell startTls(String name, java.io.File chain, java.io.File key) throws IOException {
        return new GrpcCell(
                name,
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .useTransportSecurity(chain, key));
    }

    public int port() {
        return server.getPort();
    }

    public String name() {
        return name;
    }

    public int cancellations() {
        return cancellations.get();
    }

    public java.util.List<Metadata> metadata() {
        return java.util.List.copyOf(metadata);
    }

    public java.util.List<Deadline> deadlines() {
        return java.util.List.copyOf(deadlines);
    }

    @Override
    public void close() {
        server.shutdownNow();
        timer.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private EchoReply reply(String text, long seq) {
        return EchoReply.newBuilder().setCell(name).setText(text).setSeq(seq).build();
    }

    private final class EchoService extends EchoGrpc.EchoImplBase {
        @Override
        public void unary(EchoRequest request, StreamObserver<EchoReply> responses) {
            ServerCallStreamObserver<EchoReply> observer = (ServerCallStreamObserver<EchoReply>) responses;
            observer.setOnCancelHandler(cancellations::incrementAndGet);
            Runnable answer = () -> {
                if (!observer.isCancelled()) {
                    observer.onNext(reply(request.getText(), request.getSeq()));
                    observer.onCompleted();
                }
            };
            if (request.getSleepMs() > 0) {
                timer.schedule(answer, request.getSleepMs(), TimeUnit.MILLISECONDS);
            } else {
                answer.run();
            }
        }

        @Override
        public void serverStream(EchoRequest request, StreamObserver<EchoReply> responses) {
            ServerCallStreamObserver<EchoReply> observer = (ServerCallStreamObserver<EchoReply>) responses;
            observer.setOnCancelHandler(cancellations::incrementAndGet);
            if (request.getSleepMs() > 0) {
                // A slow stream: one reply per sleep, until cancelled or count reached.
                AtomicInteger sent = new AtomicInteger();
                timer.scheduleAtFixedRate(
                        () -> {
                            if (observer.isCancelled() || sent.get() >= request.getCount()) {
                                throw new IllegalStateException("stop"); // ends the schedule
                            }
                            observer.onNext(reply(request.getText(), sent.getAndIncrement()));
                        },
                        0,
                        request.getSleepMs(),
                        TimeUnit.MILLISECONDS);
                return;
            }
            for (int i = 0; i < request.getCount(); i++) {
                observer.onNext(reply(request.getText(), i));
            }
            observer.onCompleted();
        }

        @Override
        public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoReply> responses) {
            AtomicInteger received = new AtomicInteger();
            return new StreamObserver<>() {
                @Override
                public void onNext(EchoRequest value) {
                    received.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    cancellations.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                    responses.onNext(EchoReply.newBuilder()
                            .setCell(name)
                            .setReceived(received.get())
                            .build());
                    responses.onCompleted();
                }
            };
        }

        @Override
        public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(EchoRequest value) {
                    responses.onNext(reply(value.getText(), value.getSeq()));
                }

                @Override
                public void onError(Throwable t) {
                    cancellations.incrementAndGet();
                }

                @Override
                public void onCompleted() {
                    responses.onCompleted();
                }
            };
        }
    }
}
