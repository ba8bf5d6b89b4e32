package io.cellrouter.router.pipeline;

import io.cellrouter.router.transport.TlsFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client connections on the TLS listener whose handshake failed, by reason: {@code
 * cellrouter_tls_handshake_failures_total{reason=not_tls|tls_error|timeout|other}} ({@link
 * TlsFailures}). Each is closed and counted, and logged at DEBUG only, by reason and exception
 * class: never at WARN (every scanner, every plaintext request on the TLS port and every client
 * that rejects the certificate makes one, per connection, on the event loop), never with the
 * exception's message or stack (the message may be a hex dump of the client's bytes).
 *
 * <p>Concurrency: called on the connections' event loops; the counters are thread-safe.
 */
final class TlsHandshakeFailures {

    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeFailures.class);

    private final Map<String, Counter> counters = new LinkedHashMap<>();

    /** Registered up front: each reason reads 0, not "absent", until its first failure. */
    TlsHandshakeFailures(MeterRegistry registry) {
        for (String reason : TlsFailures.REASONS) {
            counters.put(
                    reason,
                    Counter.builder("cellrouter.tls.handshake.failures")
                            .description(
                                    "Client TLS handshakes that failed on the TLS listener (the connection closed)")
                            .tag("reason", reason)
                            .register(registry));
        }
    }

    /** The handshake of {@code ctx}'s connection failed with {@code cause}: close, count, DEBUG. */
    void failed(ChannelHandlerContext ctx, Throwable cause) {
        String reason = TlsFailures.reason(cause);
        LOG.debug("{} TLS handshake failed: {} ({})", ctx.channel(), reason, TlsFailures.describe(cause));
        counters.get(reason).increment();
        // SslHandler has asked for the close already, from within the read that failed. On io_uring
        // (Netty 4.2.18) that close left the socket open, without a FIN, until the client sent more
        // or left, although the channel reported itself closed: a shutdown first ends it at once.
        if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
            duplex.shutdown();
        }
        ctx.close();
    }
}
