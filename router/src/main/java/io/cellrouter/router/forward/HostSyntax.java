package io.cellrouter.router.forward;

import io.cellrouter.router.identity.RequestTarget;

/**
 * Whether a {@code Host} field (or an HTTP/2 {@code :authority}) is what RFC 9110 section 7.2
 * allows: a host and an optional port, nothing else. A value such as {@code a.example:x@b.example}
 * is refused at the edge: the router would read host {@code a.example} in it, and a cell that
 * parses it as a URL would read {@code b.example}.
 *
 * <pre>
 *  host [ ":" port ]    host: "[" IP literal "]", or a reg-name (letters, digits, - . _ ~,
 *                       %XX escapes, ! $ &amp; ' ( ) * + , ; =); port: digits only, at most 65535
 * </pre>
 * An empty value is allowed (RFC 9112 section 3.2: a request whose target has no authority), and
 * so is an empty port ({@code a.example:}, RFC 3986 section 3.2.3). A port is read as a decimal
 * number, leading zeros and all, as a Content-Length is: {@code :000080} is port 80, and {@code
 * :99999} (no TCP port) is refused. The value is passed on as the client wrote it: the port takes
 * no part in routing (README, "Edge strictness").
 */
public final class HostSyntax {

    private static final int MAX_PORT = 65535;

    private HostSyntax() {}

    public static boolean valid(CharSequence value) {
        int n = value.length();
        int i = 0;
        if (n > 0 && value.charAt(0) == '[') {
            for (i = 1; i < n && value.charAt(i) != ']'; i++) {
                char c = value.charAt(i);
                if (c != ':' && !RequestTarget.isUnreserved(c) && !subDelim(c)) {
                    return false;
                }
            }
            if (i == n) {
                return false; // no closing bracket
            }
            i++;
        } else {
            for (; i < n && value.charAt(i) != ':'; i++) {
                char c = value.charAt(i);
                if (c == '%') {
                    if (i + 2 >= n || !hex(value.charAt(i + 1)) || !hex(value.charAt(i + 2))) {
                        return false;
                    }
                    i += 2;
                } else if (!RequestTarget.isUnreserved(c) && !subDelim(c)) {
                    return false;
                }
            }
        }
        if (i == n) {
            return true;
        }
        if (value.charAt(i) != ':') {
            return false;
        }
        int port = 0;
        for (i++; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
            if (port > MAX_PORT) {
                return false; // before it could overflow, however many digits follow
            }
        }
        return true;
    }

    private static boolean subDelim(char c) {
        return "!$&'()*+,;=".indexOf(c) >= 0;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
