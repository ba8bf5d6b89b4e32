package io.cellrouter.router.identity;

import io.cellrouter.registry.token.CellToken;
import io.cellrouter.registry.token.InvalidTokenException;
import io.cellrouter.registry.token.TokenVerifier;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * The customer is the subject of a verified bearer token ({@code Authorization: Bearer <jwt>}, or
 * the configured header; gRPC metadata arrives as the same header), and the token's {@code cell}
 * claim is the routing hint.
 *
 * <p>No such header, or another scheme ({@code Basic ...}): not this source, the next is tried. A
 * bearer token that does not verify, or a second {@code Authorization} header: {@code 401
 * invalid_token}, and no weaker source is consulted (SPEC section 5).
 *
 * <p>The verifier caches verified tokens, so the steady state is one cache lookup per request.
 */
final class JwtIdentitySource implements IdentitySource, AutoCloseable {

    static final String SOURCE = "jwt";
    private static final String BEARER = "bearer";

    private final AsciiString header;
    private final TokenVerifier verifier;

    JwtIdentitySource(String header, TokenVerifier verifier) {
        this.header = AsciiString.cached(header);
        this.verifier = verifier;
    }

    @Override
    public Identity identify(HttpRequest request) {
        Iterator<String> values = request.headers().valueStringIterator(header);
        if (!values.hasNext()) {
            return null;
        }
        String value = values.next();
        int start = bearerTokenStart(value);
        if (start < 0) {
            return null;
        }
        if (values.hasNext()) {
            throw new RouterException(ErrorCode.INVALID_TOKEN, "more than one " + header + " header");
        }
        CellToken token;
        try {
            token = verifier.verify(value.substring(start).trim());
        } catch (InvalidTokenException e) {
            throw new RouterException(ErrorCode.INVALID_TOKEN, "invalid token: " + e.getMessage());
        }
        return new Identity(token.customer(), token.cell(), SOURCE);
    }

    /** Where the token starts in {@code Bearer <token>} (scheme case-insensitive), or -1. */
    static int bearerTokenStart(String value) {
        int length = BEARER.length();
        if (value.length() == length && value.equalsIgnoreCase(BEARER)) {
            return length; // the scheme without a token: an (empty) invalid token
        }
        if (value.length() <= length
                || !value.regionMatches(true, 0, BEARER, 0, length)
                || value.charAt(length) != ' ') {
            return -1;
        }
        int start = length + 1;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        return start;
    }

    TokenVerifier verifier() {
        return verifier;
    }

    @Override
    public void close() {
        verifier.close();
    }
}
