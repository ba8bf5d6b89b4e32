package io.cellrouter.router.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;

/**
 * What RFC 9113 section 8.2.1 makes malformed in a client's header block and Netty's validation
 * lets through, checked before the block reaches {@link Http2Frontend}: such a request or trailer
 * block gets its stream reset (PROTOCOL_ERROR) and nothing of it goes to a cell.
 *
 * <ul>
 *   <li>A value that ends with a space or a tab. Netty refuses one that starts with either, so
 *       without this a stray tab was refused in front and passed at the end ({@code x-customer-id:
 *       "alice\t"} routed to alice), and an HTTP/1.1 cell would read the value trimmed, a
 *       different value than the router checked.
 *   <li>A {@code :scheme} that is not a URI scheme (RFC 3986 section 3.1: a letter, then letters,
 *       digits, {@code +}, {@code -} and {@code .}): a cell building a URL from it would build
 *       another than the client sent.
 * </ul>
 *
 * <p>Both {@code onHeadersRead} variants come here and go on as the one without priority: the
 * router does not use stream priorities ({@link Http2Tuning}).
 */
final class Http2FieldRules extends Http2FrameListenerDecorator {

    Http2FieldRules(Http2FrameListener listener) {
        super(listener);
    }

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endStream)
            throws Http2Exception {
        check(streamId, headers);
        listener.onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    @Override
    public void onHeadersRead(
            ChannelHandlerContext ctx,
            int streamId,
            Http2Headers headers,
            int streamDependency,
            short weight,
            boolean exclusive,
            int padding,
            boolean endStream)
            throws Http2Exception {
        onHeadersRead(ctx, streamId, headers, padding, endStream);
    }

    /** Throws a stream error for a header block that breaks one of the rules above. */
    static void check(int streamId, Http2Headers headers) throws Http2Exception {
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence value = field.getValue();
            int length = value.length();
            if (length > 0 && isSpaceOrTab(value.charAt(length - 1))) {
                // The name only: the value may be a credential.
                throw Http2Exception.streamError(
                        streamId, Http2Error.PROTOCOL_ERROR, "the value of %s ends with whitespace", field.getKey());
            }
        }
        CharSequence scheme = headers.scheme();
        if (scheme != null && !isScheme(scheme)) {
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, ":scheme is not a URI scheme");
        }
    }

    private static boolean isSpaceOrTab(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isScheme(CharSequence scheme) {
        if (scheme.length() == 0 || !isAlpha(scheme.charAt(0))) {
            return false;
        }
        for (int i = 1; i < scheme.length(); i++) {
            char c = scheme.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
