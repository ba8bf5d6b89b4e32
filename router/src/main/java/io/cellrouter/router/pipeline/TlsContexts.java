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

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The proxy's TLS listener, from the files as they are now. */
    public static SslContext server(RouterConfig.Tls tls) {
        try {
            return server(KeyMaterial.read(tls.certificate(), tls.privateKey()));
        } catch (IOException | IllegalArgumentException e) { // SSLException is an IOException
            throw new ConfigException(
                    "proxy.tls: cannot use certificate " + tls.certificate() + " and key " + tls.privateKey() + ": "
                            + describe(e),
                    e);
        }
    }

    /** The proxy's TLS listener with {@code pair} as its identity. */
    static SslContext server(KeyMaterial pair) throws SSLException {
        return SslContextBuilder.forServer(pair.certificateChain(), pair.privateKey())
                .sslProvider(provider())
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
            throw new ConfigException("proxy.upstream.trustCertificates: cannot use " + trust + ": " + describe(e), e);
        }
    }

    /** As {@link #client(Path)}, presenting {@code clientPair} (null: none) to cells that ask for it. */
    static SslContext client(Path trust, KeyMaterial clientPair) throws SSLException {
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
        if (clientPair != null) {
            builder.keyManager(clientPair.certificateChain(), clientPair.privateKey());
        }
        return builder.build();
    }

    /**
     * What is wrong with a certificate and key pair on disk, or null when they make a working pair
     * (see {@link TlsPairCheck}); for {@code cell-router check}.
     */
    public static String pairProblem(Path certificate, Path privateKey) {
        try {
            return TlsPairCheck.problem(KeyMaterial.read(certificate, privateKey));
        } catch (IOException e) {
            return "cannot be read: " + describe(e);
        }
    }

    /** A failure's message, with its cause's when it has one: what an operator needs, never key bytes. */
    static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getMessage() + ")";
        }
        return message;
    }
}
