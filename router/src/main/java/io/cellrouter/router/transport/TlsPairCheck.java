package io.cellrouter.router.transport;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * Whether a certificate and a private key make a working pair: a TLS handshake in memory, with the
 * pair as the server's identity, must complete. It catches what parsing alone does not (a key that
 * belongs to another certificate: Netty and OpenSSL take such a pair and fail every handshake
 * later). The client side of this check trusts any certificate: it only tests the pair, it
 * carries no traffic.
 *
 * <p>Runs on the calling thread (a file watcher or startup), never on an event loop.
 */
public final class TlsPairCheck {

    /** A handshake takes a few flights; more rounds than this means it is stuck. */
    private static final int MAX_ROUNDS = 16;

    private TlsPairCheck() {}

    /**
     * What is wrong with a certificate and key pair on disk, or null when they make a working pair;
     * for the listener, the cells' client certificate and {@code cell-router check}.
     */
    public static String problem(Path certificate, Path privateKey) {
        try {
            return problem(KeyMaterial.read(certificate, privateKey));
        } catch (IOException e) {
            return "cannot be read: " + describe(e);
        }
    }

    /** An exception's message with its cause's, for one log or check line. */
    public static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getMessage() + ")";
        }
        return message;
    }

    /** Null when the pair works; else what is wrong with it (never the key itself). */
    public static String problem(KeyMaterial pair) {
        SslContext server;
        SslContext client;
        try {
            server = SslContextBuilder.forServer(pair.certificateChain(), pair.privateKey())
                    .sslProvider(Transport.sslProvider())
                    .build();
            client = SslContextBuilder.forClient()
                    .sslProvider(Transport.sslProvider())
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            return "cannot be used: " + describe(e);
        }
        return handshake(server, client);
    }

    private static String handshake(SslContext server, SslContext client) {
        EmbeddedChannel serverChannel = new EmbeddedChannel();
        EmbeddedChannel clientChannel = new EmbeddedChannel();
        try {
            SslHandler serverTls = server.newHandler(serverChannel.alloc());
            SslHandler clientTls = client.newHandler(clientChannel.alloc());
            serverChannel.pipeline().addLast(serverTls);
            clientChannel.pipeline().addLast(clientTls);
            Exception failure = null;
            try {
                for (int round = 0; round < MAX_ROUNDS && !(done(serverTls) && done(clientTls)); round++) {
                    boolean moved = pass(clientChannel, serverChannel);
                    moved |= pass(serverChannel, clientChannel);
                    if (!moved) {
                        break;
                    }
                }
            } catch (Exception e) { // a handshake failure surfaces from the channel that saw it
                failure = e;
            }
            if (serverTls.handshakeFuture().isSuccess()
                    && clientTls.handshakeFuture().isSuccess()) {
                return null;
            }
            Throwable cause = serverTls.handshakeFuture().cause() != null
                    ? serverTls.handshakeFuture().cause()
                    : clientTls.handshakeFuture().cause() != null
                            ? clientTls.handshakeFuture().cause()
                            : failure;
            return "the certificate and the private key do not make a working pair (a TLS handshake with them failed"
                    + (cause == null ? "" : ": " + describe(cause)) + ")";
        } finally {
            close(serverChannel);
            close(clientChannel);
        }
    }

    private static void close(EmbeddedChannel channel) {
        try {
            channel.finishAndReleaseAll();
        } catch (Exception e) {
            // Closing rethrows the handshake's failure, which the handshake future has given already.
        }
    }

    private static boolean done(SslHandler tls) {
        return tls.handshakeFuture().isDone();
    }

    /** Hands what {@code from} wrote to {@code to}; false when there was nothing. */
    private static boolean pass(EmbeddedChannel from, EmbeddedChannel to) {
        boolean any = false;
        for (Object out = from.readOutbound(); out != null; out = from.readOutbound()) {
            any = true;
            to.writeInbound(out);
        }
        return any;
    }
}
