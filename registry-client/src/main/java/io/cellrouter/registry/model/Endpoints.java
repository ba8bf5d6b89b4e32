package io.cellrouter.registry.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * The rules for an endpoint URL (a cell's, the DynamoDB endpoint): a scheme from an allowed set, a
 * host, a port from 1 to 65535 when one is written, and nothing else: no user, no path (a single
 * {@code /} is allowed), no query, no fragment. A path would otherwise be silently dropped and a
 * bad port would only fail at the first request.
 */
public final class Endpoints {

    /** A cell: HTTP/1.1 or HTTP/2 by ALPN ({@code https}), HTTP/2 with prior knowledge ({@code h2c}). */
    public static final Set<String> CELL = Set.of("http", "https", "h2c");

    /** A plain HTTP service such as a DynamoDB-compatible endpoint. */
    public static final Set<String> HTTP = Set.of("http", "https");

    private Endpoints() {}

    /** What is wrong with {@code text} as an endpoint, or null when it is a good one. */
    public static String problem(String text, Set<String> schemes) {
        try {
            return problem(new URI(text), schemes);
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
    }

    /** What is wrong with {@code uri} as an endpoint, or null when it is a good one. */
    public static String problem(URI uri, Set<String> schemes) {
        String allowed = String.join("://, ", schemes.stream().sorted().toList()) + "://";
        String scheme = uri.getScheme();
        if (scheme == null || !schemes.contains(scheme.toLowerCase(Locale.ROOT))) {
            return "must be a URL with the scheme " + allowed;
        }
        if (uri.isOpaque()) {
            return "must be " + scheme + "://host[:port]";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry a user name or password";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return uri.getRawAuthority() != null
                            && uri.getPort() == -1
                            && uri.getRawAuthority().contains(":")
                    ? "has no valid host and port (the port must be from 1 to 65535)"
                    : "has no host";
        }
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            return "port must be from 1 to 65535";
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            return "must not have a path (requests keep their own path)";
        }
        if (uri.getRawQuery() != null) {
            return "must not have a query";
        }
        if (uri.getRawFragment() != null) {
            return "must not have a fragment";
        }
        return null;
    }
}
