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
 *                       %XX escapes, ! $ &amp; ' ( ) * + , ; =); port: digits only
 * </pre>
 * An empty value is allowed (RFC 9112 section 3.2: a request whose target has no authority).
 */
public final class HostSyntax {

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
        for (i++; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
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
