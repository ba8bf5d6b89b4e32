package io.cellrouter.router.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Locale;

/**
 * Keeps web pages from using an operator's browser against the admin API (README: Admin API).
 *
 * <ul>
 *   <li><b>Cross-site requests.</b> A page on another site can make a browser send a "simple" POST
 *       (a {@code text/plain} body, no preflight) to any address the browser reaches, the
 *       operator's loopback admin port included. Browsers mark such requests with {@code
 *       Sec-Fetch-Site} other than {@code same-origin} or {@code none}, and older ones with an
 *       {@code Origin} that is not the admin's own ({@code Host}; looked at only without {@code
 *       Sec-Fetch-Site}). Both are refused. curl, the CLI and scripts send neither; the console, served
 *       by the admin listener itself, sends its own origin.
 *   <li><b>DNS rebinding.</b> A page whose name the attacker points at 127.0.0.1 is same-origin to
 *       itself, and without a token every caller is an operator. So without a token, a request must
 *       be addressed ({@code Host}) to a loopback address or {@code localhost}: the page's own name
 *       is neither. With a token the browser holds none to send, so the check is not needed.
 * </ul>
 *
 * <p>Stateless; safe from any thread.
 */
final class BrowserGuard {

    private static final String SEC_FETCH_SITE = "sec-fetch-site";

    private BrowserGuard() {}

    /** Why the request is refused, or null. {@code tokenless}: no admin token is configured. */
    static String refusal(HttpRequest request, boolean tokenless) {
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        String site = headers.get(SEC_FETCH_SITE);
        if (site != null) {
            // Set by the browser, never by a page: decisive where present, also behind a reverse
            // proxy that rewrites Host (where Origin and Host differ for the console itself).
            if (!site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
                return "requests from another site's page are refused (Sec-Fetch-Site " + site + ")";
            }
        } else if (origin != null && (host == null || !sameOrigin(origin, host))) {
            return "requests from another site's page are refused (Origin " + origin + ")";
        }
        if (tokenless && host != null && !loopback(host)) {
            return "without an admin token the admin API answers only requests addressed to a loopback"
                    + " address or localhost, not to " + host;
        }
        return null;
    }

    private static boolean sameOrigin(String origin, String host) {
        String lower = origin.toLowerCase(Locale.ROOT);
        String expected = host.toLowerCase(Locale.ROOT);
        return lower.equals("http://" + expected) || lower.equals("https://" + expected);
    }

    /** {@code host}: a Host header's value, a name or address with an optional port. */
    static boolean loopback(String host) {
        String name;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0 || (end + 1 < host.length() && host.charAt(end + 1) != ':')) {
                return false;
            }
            name = host.substring(1, end);
        } else {
            int colon = host.indexOf(':');
            name = colon < 0 ? host : host.substring(0, colon);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1); // a fully qualified name: the same host
        }
        if (name.equalsIgnoreCase("localhost")) {
            return true;
        }
        // A literal only: a name is never resolved here (that is what a rebinding attack plays on).
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(name);
        return address != null && address.isLoopbackAddress();
    }
}
