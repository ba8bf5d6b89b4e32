package io.cellrouter.loadtest.bench.standard;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.InternalConfigurator;
import io.grpc.InternalConfiguratorRegistry;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Adds {@code <header>: c<random 0..customers-1>} to the metadata of every call. grpc-java's
 * benchmark client builds its channels itself, so {@link #installForAllChannels} hooks the
 * interceptor into every channel built in this JVM (grpc's global configurators, an internal API:
 * this runs only inside the {@code grpc-bench-client} process).
 */
public final class CustomerInterceptor implements ClientInterceptor {

    private final Metadata.Key<String> key;
    private final int customers;

    public CustomerInterceptor(String header, int customers) {
        if (customers < 1) {
            throw new IllegalArgumentException("customers must be at least 1, was " + customers);
        }
        this.key = Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER);
        this.customers = customers;
    }

    /** Every channel this JVM builds from now on carries the interceptor. Call once, before any channel. */
    public static void installForAllChannels(String header, int customers) {
        CustomerInterceptor interceptor = new CustomerInterceptor(header, customers);
        InternalConfiguratorRegistry.setConfigurators(List.of(new InternalConfigurator() {
            @Override
            public void configureChannelBuilder(ManagedChannelBuilder<?> builder) {
                builder.intercept(interceptor);
            }
        }));
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.put(key, "c" + ThreadLocalRandom.current().nextInt(customers));
                super.start(listener, headers);
            }
        };
    }
}
