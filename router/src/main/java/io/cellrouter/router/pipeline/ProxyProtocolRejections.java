package io.cellrouter.router.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * Connections closed by {@link ProxyProtocolReader}, by reason: {@code
 * cellrouter_proxy_protocol_rejected_total{reason=untrusted_peer|invalid|version|timeout}}.
 */
final class ProxyProtocolRejections {

    static final String UNTRUSTED_PEER = "untrusted_peer";
    static final String INVALID = "invalid";
    static final String VERSION = "version";
    static final String TIMEOUT = "timeout";

    private final Map<String, Counter> counters;

    ProxyProtocolRejections(MeterRegistry registry) {
        this.counters = Map.of(
                UNTRUSTED_PEER, counter(registry, UNTRUSTED_PEER),
                INVALID, counter(registry, INVALID),
                VERSION, counter(registry, VERSION),
                TIMEOUT, counter(registry, TIMEOUT));
    }

    void count(String reason) {
        counters.get(reason).increment();
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder("cellrouter.proxy.protocol.rejected")
                .description("Connections closed for want of a valid PROXY protocol header from a trusted proxy")
                .tag("reason", reason)
                .register(registry);
    }
}
