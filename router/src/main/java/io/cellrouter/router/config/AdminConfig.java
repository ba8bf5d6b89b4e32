package io.cellrouter.router.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code admin}: the admin listener; {@code token} is null only on a loopback address (an empty
 * token counts as none). {@code moveGracePeriod}: how long the exchanges of a moved (or frozen)
 * customer may go on at their old cell before the router ends them so that clients reconnect to
 * the new one. {@code tokens}: more bearer tokens, each with its role ({@link AdminToken}, which
 * also says how line breaks at a token's end are dropped). {@code maxConnections}: admin
 * connections open at once (more are closed on accept); {@code requestTimeout}: how long a
 * request's head and body may take to arrive (README: Admin API and migrations, "Limits of the
 * admin listener"). No token ever appears in {@link #toString()} nor in a problem.
 */
public record AdminConfig(
        InetSocketAddress listen,
        String token,
        Duration moveGracePeriod,
        List<AdminToken> tokens,
        int maxConnections,
        Duration requestTimeout) {

    /** Long enough for most requests to finish by themselves, short enough to bound a move. */
    public static final Duration DEFAULT_MOVE_GRACE_PERIOD = Duration.ofSeconds(30);

    /** Probes, scrapes, the console and a few operators, with room to spare; defaults.yaml gives the same. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;

    /** A 64 KiB body at 6.5 KB/s; defaults.yaml gives the same. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public AdminConfig {
        token = AdminToken.fromSecret(token);
        token = token == null || token.isEmpty() ? null : token;
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        Check.that()
                .required("listen", listen)
                .secret(token == null || token.length() >= 16, "token", "must be at least 16 characters")
                .secret(AdminToken.isWellFormed(token), "token", AdminToken.WELL_FORMED)
                .rule(
                        token != null
                                || !tokens.isEmpty()
                                || listen == null
                                || listen.getAddress().isLoopbackAddress(),
                        "listen",
                        listen == null ? null : Addresses.format(listen),
                        "admin.token is required when the admin API listens on a non-loopback address"
                                + " (or admin.tokens)")
                .secret(
                        duplicate(token, tokens) < 0,
                        "tokens[" + Math.max(0, duplicate(token, tokens)) + "].token",
                        "the same token is given twice")
                .notNegative("moveGracePeriod", moveGracePeriod)
                .range("maxConnections", maxConnections, 1, 100_000)
                .positive("requestTimeout", requestTimeout)
                .done();
    }

    public AdminConfig(InetSocketAddress listen, String token, Duration moveGracePeriod, List<AdminToken> tokens) {
        this(listen, token, moveGracePeriod, tokens, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT);
    }

    public AdminConfig(InetSocketAddress listen, String token, Duration moveGracePeriod) {
        this(listen, token, moveGracePeriod, List.of());
    }

    /** The index in {@code tokens} of a token given before (as {@code token} or earlier in the list), or -1. */
    private static int duplicate(String token, List<AdminToken> tokens) {
        Set<String> seen = new HashSet<>();
        if (token != null) {
            seen.add(token);
        }
        for (int i = 0; i < tokens.size(); i++) {
            AdminToken entry = tokens.get(i);
            if (entry != null && entry.token() != null && !seen.add(entry.token())) {
                return i;
            }
        }
        return -1;
    }

    /** {@code token} (an operator) and every entry of {@code tokens}; empty: the API is open (loopback only). */
    public List<AdminToken> allTokens() {
        List<AdminToken> all = new ArrayList<>();
        if (token != null) {
            all.add(new AdminToken(token, AdminToken.Role.OPERATOR));
        }
        all.addAll(tokens);
        return List.copyOf(all);
    }

    @Override
    public String toString() {
        return "Admin[listen=" + listen + ", token=" + (token == null ? "none" : "<redacted>") + ", moveGracePeriod="
                + moveGracePeriod + ", tokens=" + tokens + ", maxConnections=" + maxConnections + ", requestTimeout="
                + requestTimeout + "]";
    }
}
