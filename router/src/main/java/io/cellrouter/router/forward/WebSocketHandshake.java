package io.cellrouter.router.forward;

import io.cellrouter.router.identity.RequestTarget;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The WebSocket opening handshake as the router sees it (RFC 6455 section 4, RFC 8441): what makes
 * a request a handshake, the headers that must reach the cell although they are hop-by-hop, and
 * the one {@code 101} a cell may answer with.
 *
 * <p>A {@code 101} is valid only on a connection the router opened for a handshake, and only as its
 * answer: {@code Upgrade: websocket} and the {@code Sec-WebSocket-Accept} computed from the key the
 * router sent ({@link #SENT_KEY}). Anything else stays {@code bad_cell_response} (see
 * {@link CellResponseValidator}).
 */
final class WebSocketHandshake {

    /** The protocol tag of WebSocket handshakes and tunnels on metrics and in the access log. */
    static final String PROTOCOL = "ws";

    /** The key the router sent on a connection opened for a handshake; the 101 must answer it. */
    static final AttributeKey<String> SENT_KEY = AttributeKey.valueOf("cellrouter.websocketKey");

    static final AsciiString WEBSOCKET = HttpHeaderValues.WEBSOCKET;
    private static final AsciiString PROTOCOL_PSEUDO_HEADER = Http2Headers.PseudoHeaderName.PROTOCOL.value();
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketHandshake() {}

    /**
     * An HTTP/1.1 client's handshake: {@code GET}, HTTP/1.1, {@code Upgrade: websocket}, {@code
     * Connection: upgrade}, no body. Anything else is an ordinary request, whose Upgrade is removed.
     */
    static boolean requested(HttpRequest request) {
        HttpHeaders headers = request.headers();
        return HttpMethod.GET.equals(request.method())
                && HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                && hasToken(headers.getAll(HttpHeaderNames.UPGRADE), WEBSOCKET)
                && hasToken(headers.getAll(HttpHeaderNames.CONNECTION), HttpHeaderValues.UPGRADE)
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                        || "0"
                                .equals(headers.get(HttpHeaderNames.CONTENT_LENGTH)
                                        .trim()));
    }

    /** An HTTP/2 client's handshake (RFC 8441): {@code :method CONNECT} with {@code :protocol websocket}. */
    static boolean extendedConnect(Http2Headers headers) {
        CharSequence protocol = headers.get(PROTOCOL_PSEUDO_HEADER);
        return protocol != null
                && HttpMethod.CONNECT.asciiName().contentEquals(headers.method())
                && WEBSOCKET.contentEqualsIgnoreCase(protocol);
    }

    /** Whether an HTTP/2 request carries {@code :protocol} (only {@code CONNECT ... websocket} is served). */
    static boolean hasProtocol(Http2Headers headers) {
        return headers.contains(PROTOCOL_PSEUDO_HEADER);
    }

    /**
     * Puts back the handshake's own hop-by-hop fields after {@link ForwardHeaders#toCell} removed
     * them: the router asks the cell for exactly this upgrade, nothing more.
     */
    static void toCell(HttpHeaders headers) {
        headers.set(HttpHeaderNames.UPGRADE, WEBSOCKET);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    /** The cell's 101 for an HTTP/1.1 client: its end-to-end fields, the upgrade's own, the request id. */
    static void toClient(HttpHeaders headers, String requestId) {
        ForwardHeaders.toClient(headers);
        headers.set(HttpHeaderNames.UPGRADE, WEBSOCKET);
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.set(RequestIds.X_REQUEST_ID, requestId);
    }

    /**
     * The cell's 101 as an HTTP/2 client's answer to its extended CONNECT: {@code :status 200} with
     * the end-to-end fields ({@code sec-websocket-protocol}, {@code sec-websocket-extensions},
     * cookies...); the accept belongs to the router's own handshake with the cell and stays there.
     */
    static Http2Headers toHttp2Client(HttpResponse switching) {
        HttpHeaders headers = switching.headers().copy();
        ForwardHeaders.toClient(headers);
        headers.remove(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        Http2Headers out = new DefaultHttp2Headers().status("200"); // the exchange adds the request id
        HttpConversionUtil.toHttp2Headers(headers, out);
        return out;
    }

    /**
     * An extended CONNECT (forwarding headers already set) as the HTTP/1.1 handshake the cell
     * receives: {@code GET target}, {@code Upgrade: websocket}, and a new key of the router's own
     * (the HTTP/2 client has none: RFC 8441 drops it).
     */
    static HttpRequest toHttp1(Http2Headers connect, RequestTarget target, String key) throws Http2Exception {
        Http2Headers copy = new DefaultHttp2Headers(false);
        for (var field : connect) {
            if (!PROTOCOL_PSEUDO_HEADER.contentEquals(field.getKey())) {
                copy.add(field.getKey(), field.getValue());
            }
        }
        copy.method(HttpMethod.GET.asciiName());
        HttpRequest converted = HttpConversionUtil.toHttpRequest(0, copy, false);
        HttpRequest request =
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.originForm(), converted.headers());
        HttpHeaders headers = request.headers();
        ForwardHeaders.removeConversionHeaders(headers);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        ForwardHeaders.removeHopByHop(headers);
        toCell(headers);
        headers.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key);
        if (!headers.contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION)) {
            headers.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        }
        return request;
    }

    /** A fresh {@code Sec-WebSocket-Key}: 16 random bytes, base64 (RFC 6455 section 4.1). */
    static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The {@code Sec-WebSocket-Accept} that answers {@code key} (RFC 6455 section 4.2.2). */
    static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    /**
     * Why a cell's 101 is not the answer to the handshake that sent {@code sentKey} (null: the
     * connection was not opened for one, so no 101 is), or null when it is.
     */
    static String switchProblem(HttpResponse switching, String sentKey) {
        if (sentKey == null) {
            return "101 Switching Protocols that nobody asked for";
        }
        if (!HttpVersion.HTTP_1_1.equals(switching.protocolVersion())) {
            return "101 on " + switching.protocolVersion().text();
        }
        HttpHeaders headers = switching.headers();
        List<String> upgrades = headers.getAll(HttpHeaderNames.UPGRADE);
        if (upgrades.size() != 1
                || !WEBSOCKET.contentEqualsIgnoreCase(upgrades.get(0).trim())) {
            return "101 to a WebSocket handshake must say Upgrade: websocket";
        }
        List<String> accepts = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        if (accepts.size() != 1 || !accept(sentKey).equals(accepts.get(0).trim())) {
            return "101 with a Sec-WebSocket-Accept that does not answer the handshake's key";
        }
        return null;
    }

    private static boolean hasToken(List<String> values, AsciiString token) {
        for (String value : values) {
            for (String part : value.split(",")) {
                if (token.contentEqualsIgnoreCase(part.trim())) {
                    return true;
                }
            }
        }
        return false;
    }
}
