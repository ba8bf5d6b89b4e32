package io.cellrouter.router.pipeline;

import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.transport.KeyMaterial;
import io.cellrouter.router.transport.TlsPairCheck;
import io.cellrouter.router.transport.Transport;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS contexts from PEM files: OpenSSL (netty-tcnative BoringSSL) when it loads, the JDK's
 * provider otherwise; ALPN offers h2 first, then http/1.1; ciphers are the HTTP/2-safe list
 * (RFC 9113 appendix A excluded). The certificates that rotate are held by {@link
 * ReloadingSslContext}, which builds its contexts here.
 */
public final class TlsContexts {

    private TlsContexts() {}

    /** The proxy's TLS listener, from the files as they are now. */
    public static SslContext server(RouterConfig.Tls tls) {
        try {
            return server(KeyMaterial.read(tls.certificate(), tls.privateKey()));
        } catch (IOException | IllegalArgumentException e) { // SSLException is an IOException
            throw new ConfigException(
                    "proxy.tls: cannot use certificate " + tls.certificate() + " and key " + tls.privateKey() + ": "
                            + TlsPairCheck.describe(e),
                    e);
        }
    }

    /** The proxy's TLS listener with {@code pair} as its identity. */
    static SslContext server(KeyMaterial pair) throws SSLException {
        return SslContextBuilder.forServer(pair.certificateChain(), pair.privateKey())
                .sslProvider(Transport.sslProvider())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /**
     * Connections to {@code https://} cells: HTTP/2 only (ALPN h2), verified against {@code trust}
     * (a PEM bundle) or the JDK's trust store when null; no client certificate.
     */
    public static SslContext client(Path trust) {
        try {
            return client(trust, null);
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(
                    "proxy.upstream.trustCertificates: cannot use " + trust + ": " + TlsPairCheck.describe(e), e);
        }
    }

    /** As {@link #client(Path)}, presenting {@code clientPair} (null: none) to cells that ask for it. */
    static SslContext client(Path trust, KeyMaterial clientPair) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(Transport.sslProvider())
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
        if (clientPair != null) {
            builder.keyManager(clientPair.certificateChain(), clientPair.privateKey());
        }
        return builder.build();
    }
}
