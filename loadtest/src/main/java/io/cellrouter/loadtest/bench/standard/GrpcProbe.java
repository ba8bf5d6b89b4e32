package io.cellrouter.loadtest.bench.standard;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.benchmarks.proto.BenchmarkServiceGrpc;
import io.grpc.benchmarks.proto.Messages;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One unary call of grpc-java's benchmark service, with the customer metadata: is the target routing? */
final class GrpcProbe {

    private GrpcProbe() {}

    static void unaryCall(URI target, String header, String customer, Duration timeout) throws DriverException {
        ManagedChannel channel = NettyChannelBuilder.forAddress(target.getHost(), target.getPort())
                .usePlaintext()
                .build();
        try {
            Metadata metadata = new Metadata();
            metadata.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), customer);
            Messages.SimpleResponse response = BenchmarkServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .unaryCall(Messages.SimpleRequest.newBuilder()
                            .setResponseSize(GrpcBenchDriver.PAYLOAD_BYTES)
                            .setPayload(Messages.Payload.newBuilder()
                                    .setBody(ByteString.copyFrom(new byte[GrpcBenchDriver.PAYLOAD_BYTES])))
                            .build());
            if (response.getPayload().getBody().size() != GrpcBenchDriver.PAYLOAD_BYTES) {
                throw new DriverException("UnaryCall through " + target + " answered "
                        + response.getPayload().getBody().size() + " bytes, not " + GrpcBenchDriver.PAYLOAD_BYTES);
            }
        } catch (StatusRuntimeException e) {
            throw new DriverException("UnaryCall through " + target + " failed: " + e.getStatus(), e);
        } finally {
            channel.shutdownNow();
        }
    }
}
