package io.cellrouter.router.pipeline;

import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.config.RouterConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS contexts from PEM files: OpenSSL (netty-tcnative BoringSSL) when it loads, the JDK's
 * provider otherwise; ALPN offers h2 first, then http/1.1; ciphers are the HTTP/2-safe list
 * (RFC 9113 appendix A excluded).
 */
public final class TlsContexts {

    private TlsContexts() {}

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The proxy's TLS listener. */
    public static SslContext server(RouterConfig.Tls tls) {
        try {
            return SslContextBuilder.forServer(
                            tls.certificate().toFile(), tls.privateKey().toFile())
                    .sslProvider(provider())
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(
                    "proxy.tls: cannot use certificate " + tls.certificate() + " and key " + tls.privateKey() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Connections to {@code https://} cells: HTTP/2 only (ALPN h2), verified against {@code trust}
     * (a PEM bundle) or the JDK's trust store when null.
     */
    public static SslContext client(Path trust) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(provider())
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2));
            if (trust != null) {
                builder.trustManager(trust.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(
                    "proxy.upstream.trustCertificates: cannot use " + trust + ": " + e.getMessage(), e);
        }
    }
}
