package io.cellrouter.router.admin;

import io.cellrouter.router.config.AdminToken;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who calls {@code /admin/v1/*}: the bearer token is compared in constant time with every configured
 * token (all of them, whatever matched first, so the time does not tell which one was close), and
 * the caller gets the role of the one that matched. No token configured: only possible on a
 * loopback listener (the configuration refuses anything else), and every caller is an operator.
 */
final class AdminAuth {

    /** A caller: the audit log's label of its token, and its role. */
    record Caller(String who, AdminToken.Role role) {

        boolean mayWrite() {
            return role == AdminToken.Role.OPERATOR;
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // compared in constant time with MessageDigest.isEqual
    private record Known(byte[] token, Caller caller) {}

    private final List<Known> tokens;

    AdminAuth(List<AdminToken> tokens) {
        this.tokens = tokens.stream()
                .map(t -> new Known(
                        t.token().getBytes(StandardCharsets.UTF_8), new Caller(Actor.of(t.token()), t.role())))
                .toList();
    }

    /** The caller, or null when the request carries no valid token. */
    Caller caller(HttpRequest request) {
        if (tokens.isEmpty()) {
            return new Caller(Actor.LOOPBACK, AdminToken.Role.OPERATOR);
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        Caller matched = null;
        for (Known known : tokens) {
            if (MessageDigest.isEqual(presented, known.token()) && matched == null) {
                matched = known.caller();
            }
        }
        return matched;
    }
}
