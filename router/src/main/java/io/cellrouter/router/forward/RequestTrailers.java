package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a client's request trailers may carry to the cell (README: Headers).
 *
 * <p>Trailers arrive after the request was identified, routed and its head sent on, so nothing in
 * them was checked; yet a cell that reads trailer fields as headers (RFC 9110 section 6.5.2
 * allows merging only for fields defined to permit it, and some servers merge any field they are
 * told to accept) would take them for what the router vouched for. So trailers lose the fields
 * whose meaning the router decides on the header section:
 *
 * <ul>
 *   <li>the identity fields ({@code x-customer-id}, the token's {@code Authorization}: another
 *       customer's name there would reach the cell of this one);
 *   <li>the forwarding fields and the request id ({@code Forwarded}, {@code X-Real-IP}, {@code
 *       x-forwarded-*}, {@code x-request-id}) and the router's own {@code x-cell-router-*};
 *   <li>hop-by-hop fields, and the framing and routing fields ({@code Content-Length}, {@code
 *       Transfer-Encoding}, {@code Trailer}, {@code Host}), which cannot be trailers.
 * </ul>
 *
 * Each goes in every other spelling of its name too ({@link FieldSpellings}: {@code x_customer_id},
 * {@code x_forwarded_for}), which a server that reads {@code '_'} as {@code '-'} would take for it.
 * Every other trailer field (a checksum, gRPC's metadata) passes unchanged.
 */
final class RequestTrailers {

    private static final AsciiString[] NOT_IN_TRAILERS = {
        HttpHeaderNames.CONTENT_LENGTH,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.HOST,
        HttpHeaderNames.TE,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        ForwardHeaders.FORWARDED,
        ForwardHeaders.X_REAL_IP,
        RequestIds.X_REQUEST_ID
    };

    private static final String[] PREFIXES = {
        "x-forwarded-", ForwardHeaders.ROUTER_PREFIX, ForwardHeaders.HTTP2_EXTENSION_PREFIX
    };

    private RequestTrailers() {}

    /** Removes, in place, what an HTTP/1.1 request's trailers may not carry to the cell. */
    static void toCell(HttpHeaders trailers, List<AsciiString> identityFields) {
        if (trailers.isEmpty()) {
            return; // also the shared, immutable trailers of an empty last part
        }
        ForwardHeaders.removeHopByHop(trailers);
        removeNamed(trailers::remove, identityFields);
        ForwardHeaders.removePrefixed(trailers, PREFIXES);
        // The other spellings of what removeNamed and the prefixes remove.
        FieldSpellings.remove(
                trailers.iteratorCharSequence(), trailers::remove, NOT_IN_TRAILERS, identityFields, PREFIXES);
    }

    /**
     * The same for an HTTP/2 request's trailers, in place; returns them. Connection-specific fields
     * cannot be there: the HTTP/2 codec refuses them.
     */
    static Http2Headers toCell(Http2Headers trailers, List<AsciiString> identityFields) {
        removeNamed(trailers::remove, identityFields);
        ForwardHeaders.removePrefixed(trailers, PREFIXES);
        FieldSpellings.remove(trailers.iterator(), trailers::remove, NOT_IN_TRAILERS, identityFields, PREFIXES);
        return trailers;
    }

    /** Removes the fields no trailer may carry, and the identity fields, by name. */
    private static void removeNamed(Consumer<AsciiString> remove, List<AsciiString> identityFields) {
        for (AsciiString name : NOT_IN_TRAILERS) {
            remove.accept(name);
        }
        identityFields.forEach(remove);
    }
}
