package io.cellrouter.router.forward;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;

/** The host an HTTP/1.1 target in absolute form names, checked against {@code Host}. */
public final class AbsoluteTarget {

    private AbsoluteTarget() {}

    /**
     * An HTTP/1.1 target in absolute form ({@code http://host/path}) must name the host its {@code
     * Host} field names (compared without case, a default port not counting), with the scheme
     * {@code http} or {@code https} and no user information. RFC 9112 section 3.2.2 has a server
     * take the host from such a target and ignore {@code Host}; the router routes by {@code Host},
     * and so does the cell, which receives the origin form: a hop before them that read the target
     * (a cache, a load balancer) would have seen another customer. Nothing to check for the origin
     * form, or without a {@code Host} (HTTP/1.0).
     *
     * @throws RouterException 400 when they disagree
     */
    public static void check(String uri, String host) {
        int scheme = uri.startsWith("/") ? -1 : uri.indexOf("://");
        if (scheme < 0) {
            return;
        }
        String name = uri.substring(0, scheme);
        boolean https = name.equalsIgnoreCase("https");
        if (!https && !name.equalsIgnoreCase("http")) {
            throw refused("the request target's scheme must be http or https");
        }
        int end = scheme + 3;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
            end++;
        }
        String authority = uri.substring(scheme + 3, end);
        if (authority.indexOf('@') >= 0) {
            throw refused("the request target must not carry user information");
        }
        if (host != null && !sameAuthority(authority, host, https ? ":443" : ":80")) {
            throw refused("the request target names another host than the Host field");
        }
    }

    private static boolean sameAuthority(String authority, String host, String defaultPort) {
        return stripPort(authority, defaultPort).equalsIgnoreCase(stripPort(host, defaultPort));
    }

    private static String stripPort(String authority, String defaultPort) {
        return authority.endsWith(defaultPort)
                ? authority.substring(0, authority.length() - defaultPort.length())
                : authority;
    }

    private static RouterException refused(String why) {
        return new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: " + why);
    }
}
