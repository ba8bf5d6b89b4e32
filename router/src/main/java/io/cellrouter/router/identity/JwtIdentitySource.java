package io.cellrouter.router.identity;

import io.cellrouter.registry.token.CellToken;
import io.cellrouter.registry.token.InvalidTokenException;
import io.cellrouter.registry.token.TokenVerifier;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * The customer is the subject of a verified bearer token ({@code Authorization: Bearer <jwt>}, or
 * the configured header; gRPC metadata arrives as the same header), and the token's {@code cell}
 * claim is the routing hint.
 *
 * <p>No such header, or another scheme ({@code Basic ...}): not this source, the next is tried. A
 * well-formed bearer token that does not verify: {@code 401 invalid_token}, and no weaker source
 * is consulted. Anything that leaves room to guess is {@code 400 ambiguous_identity}, in whatever
 * order the fields arrive: a second field of the header (even empty, even of another scheme), or
 * a credential whose scheme is {@code bearer} in any case but whose rest is not exactly
 * {@code 1*SP token68} (RFC 9110 section 11.4: {@code Bearer<TAB>x}, {@code Bearer} alone,
 * {@code Bearer a b}, {@code Bearer a,Bearer b}).
 *
 * <p>The verifier caches verified tokens, so the steady state is one cache lookup per request.
 */
final class JwtIdentitySource implements IdentitySource, AutoCloseable {

    static final String SOURCE = "jwt";
    private static final String BEARER = "bearer";

    /** {@link #bearerTokenStart}: another scheme, not this source's. */
    static final int NOT_BEARER = -1;

    /** {@link #bearerTokenStart}: the bearer scheme with a malformed rest. */
    static final int MALFORMED = -2;

    private final AsciiString header;
    private final TokenVerifier verifier;

    JwtIdentitySource(String header, TokenVerifier verifier) {
        this.header = AsciiString.cached(header);
        this.verifier = verifier;
    }

    @Override
    public Identity identify(RequestHead request) {
        Iterator<String> values = request.values(header);
        if (!values.hasNext()) {
            return null;
        }
        String value = values.next();
        if (values.hasNext()) {
            throw Ambiguity.of("more than one " + header + " header");
        }
        int start = bearerTokenStart(value);
        if (start == NOT_BEARER) {
            return null;
        }
        if (start == MALFORMED) {
            throw Ambiguity.of("malformed bearer credentials in " + header);
        }
        CellToken token;
        try {
            token = verifier.verify(value.substring(start));
        } catch (InvalidTokenException e) {
            throw new RouterException(ErrorCode.INVALID_TOKEN, "invalid token: " + e.getMessage());
        }
        return new Identity(token.customer(), token.cell(), SOURCE);
    }

    /**
     * Where the token starts in {@code Bearer <token>} (scheme case-insensitive, one or more
     * spaces, one token68, nothing after it); {@link #NOT_BEARER} for another scheme;
     * {@link #MALFORMED} for the bearer scheme with anything else after it.
     */
    static int bearerTokenStart(String value) {
        int scheme = 0;
        while (scheme < value.length() && isTchar(value.charAt(scheme))) {
            scheme++;
        }
        if (scheme != BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, scheme)) {
            return NOT_BEARER;
        }
        int start = scheme;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        if (start == scheme || start == value.length()) {
            return MALFORMED;
        }
        int end = start;
        while (end < value.length() && isToken68(value.charAt(end))) {
            end++;
        }
        while (end < value.length() && value.charAt(end) == '=') {
            end++;
        }
        return end == value.length() && end > start ? start : MALFORMED;
    }

    /** RFC 9110 tchar. */
    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** RFC 9110 token68, without the trailing '=' padding. */
    private static boolean isToken68(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~'
                || c == '+'
                || c == '/';
    }

    TokenVerifier verifier() {
        return verifier;
    }

    @Override
    public void close() {
        verifier.close();
    }
}
