package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The routing metadata the gRPC driver adds, seen by a real gRPC server over a real socket. */
class CustomerInterceptorTest {

    private static final Metadata.Key<String> CUSTOMER =
            Metadata.Key.of("x-customer-id", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void everyCall_carriesACustomerOfTheRange() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ServerInterceptor record = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                seen.add(String.valueOf(headers.get(CUSTOMER)));
                return next.startCall(call, headers);
            }
        };
        BenchmarkServiceGrpc.BenchmarkServiceImplBase service = new BenchmarkServiceGrpc.BenchmarkServiceImplBase() {
            @Override
            public void unaryCall(Messages.SimpleRequest request, StreamObserver<Messages.SimpleResponse> out) {
                out.onNext(Messages.SimpleResponse.getDefaultInstance());
                out.onCompleted();
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(service, record))
                .build()
                .start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext()
                .intercept(new CustomerInterceptor("x-customer-id", 3))
                .build();
        try {
            BenchmarkServiceGrpc.BenchmarkServiceBlockingStub stub = BenchmarkServiceGrpc.newBlockingStub(channel);
            for (int i = 0; i < 60; i++) {
                stub.unaryCall(Messages.SimpleRequest.getDefaultInstance());
            }
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }

        assertThat(seen).hasSize(60).allMatch(c -> c.matches("c[012]"));
        assertThat(seen).contains("c0", "c1", "c2");
    }

    @Test
    void noCustomers_isRefused() {
        assertThatThrownBy(() -> new CustomerInterceptor("x-customer-id", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("customers must be at least 1");
    }
}
