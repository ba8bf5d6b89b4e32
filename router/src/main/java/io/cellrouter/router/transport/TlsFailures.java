package io.cellrouter.router.transport;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * What a failed TLS handshake was, told from its exception's type, never from its message: the
 * message may quote the peer's bytes. With the JDK's TLS, Netty's {@link NotSslRecordException}
 * carries a hex dump of the first read, so a plaintext request on the TLS port would put its
 * headers, credentials included, into the log. A handshake failure is therefore logged by its
 * {@link #reason} and {@link #describe exception class} only, without the message or the stack.
 */
public final class TlsFailures {

    /** The first bytes were not a TLS record: plaintext HTTP on the TLS port, another protocol, a scanner. */
    public static final String NOT_TLS = "not_tls";

    /** The handshake itself failed: an alert (the peer rejected the certificate), no protocol or cipher in common. */
    public static final String TLS_ERROR = "tls_error";

    /** The handshake did not finish in time (Netty's SslHandler: 10 s). */
    public static final String TIMEOUT = "timeout";

    /** The connection failed otherwise while the handshake was under way (a reset). */
    public static final String OTHER = "other";

    /** Every reason, for meters registered up front. */
    public static final List<String> REASONS = List.of(NOT_TLS, TLS_ERROR, TIMEOUT, OTHER);

    private TlsFailures() {}

    /** The TLS exception behind {@code cause} (SslHandler wraps it in a DecoderException), or null. */
    public static SSLException sslFailure(Throwable cause) {
        return unwrapped(cause) instanceof SSLException ssl ? ssl : null;
    }

    /** One of {@link #REASONS}. */
    public static String reason(Throwable cause) {
        SSLException ssl = sslFailure(cause);
        if (ssl instanceof NotSslRecordException) {
            return NOT_TLS;
        }
        if (ssl instanceof SslHandshakeTimeoutException) {
            return TIMEOUT;
        }
        return ssl == null ? OTHER : TLS_ERROR;
    }

    /** The exception's class, for a log line: says what failed without quoting any of the peer's bytes. */
    public static String describe(Throwable cause) {
        return unwrapped(cause).getClass().getSimpleName();
    }

    private static Throwable unwrapped(Throwable cause) {
        return cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    }
}
