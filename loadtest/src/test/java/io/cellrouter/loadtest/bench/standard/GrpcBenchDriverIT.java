package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC driver end to end: grpc-java's benchmark client in a JVM of its own against a benchmark
 * service that, like a router, refuses every call without a known {@code x-customer-id}. The
 * client stops at its first failed call, so a result proves every call carried the metadata.
 */
class GrpcBenchDriverIT {

    private static final Metadata.Key<String> CUSTOMER =
            Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    private final AtomicLong routed = new AtomicLong();
    private Server server;

    @BeforeEach
    void startService() throws Exception {
        ServerInterceptor requireCustomer = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String customer = headers.get(CUSTOMER);
                if (customer == null || !customer.matches("c[0-9]")) {
                    call.close(Status.UNAUTHENTICATED.withDescription("missing_identity: " + customer), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                routed.incrementAndGet();
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new EchoBenchmarkService(), requireCustomer))
                .build()
                .start();
    }

    @AfterEach
    void stopService() {
        server.shutdownNow();
    }

    private DriverResult run(boolean streaming) throws Exception {
        // The test's whole class path (the module's own jar alone lacks its dependencies).
        GrpcBenchDriver driver = new GrpcBenchDriver(
                streaming,
                ProcessHandle.current().info().command().orElse("java"),
                System.getProperty("java.class.path"));
        URI target = URI.create("http://127.0.0.1:" + server.getPort());
        driver.probe(target, dir);
        return driver.run(new Driver.Run(target, "direct", 10, Duration.ZERO, Duration.ofSeconds(1), dir));
    }

    @Test
    void unary_everyCallCarriesTheCustomer_andTheFiguresAreRead() throws Exception {
        DriverResult r = run(false);

        assertThat(r.requestsPerSecond()).isPositive();
        assertThat(r.p99Micros()).isGreaterThanOrEqualTo(r.p50Micros()).isPositive();
        assertThat(r.maxMicros()).isGreaterThanOrEqualTo(r.p99Micros());
        assertThat(r.errors()).isZero();
        assertThat(routed.get()).isGreaterThan(20);
    }

    @Test
    void streaming_everyStreamCarriesTheCustomer() throws Exception {
        DriverResult r = run(true);

        assertThat(r.requestsPerSecond()).isPositive();
        assertThat(r.p99Micros()).isPositive();
        // 2 channels x 10 streams, warm-up and measured run each, plus the probe's one call.
        assertThat(routed.get()).isEqualTo(41);
    }

    /** The benchmark service as grpc-java's AsyncServer answers it: a payload of the size asked. */
    private static final class EchoBenchmarkService extends BenchmarkServiceGrpc.BenchmarkServiceImplBase {

        private static Messages.SimpleResponse answer(Messages.SimpleRequest request) {
            return Messages.SimpleResponse.newBuilder()
                    .setPayload(Messages.Payload.newBuilder()
                            .setBody(ByteString.copyFrom(new byte[request.getResponseSize()])))
                    .build();
        }

        @Override
        public void unaryCall(Messages.SimpleRequest request, StreamObserver<Messages.SimpleResponse> out) {
            out.onNext(answer(request));
            out.onCompleted();
        }

        @Override
        public StreamObserver<Messages.SimpleRequest> streamingCall(StreamObserver<Messages.SimpleResponse> out) {
            return new StreamObserver<>() {
                @Override
                public void onNext(Messages.SimpleRequest request) {
                    out.onNext(answer(request));
                }

                @Override
                public void onError(Throwable t) {
                    // The client went away; nothing to answer.
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }
    }
}
