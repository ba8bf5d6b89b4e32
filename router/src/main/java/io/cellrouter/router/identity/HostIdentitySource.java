package io.cellrouter.router.identity;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The customer id is the {@code customer} group of a pattern on the Host name (port removed). A
 * match where that group took no part (an optional group: {@code ^(?:(?<customer>[a-z0-9-]+)\.)?api\.example\.com$}
 * and {@code api.example.com}) names no customer: the source does not apply.
 */
final class HostIdentitySource implements IdentitySource {

    private final Pattern pattern;

    HostIdentitySource(Pattern pattern) {
        this.pattern = pattern;
    }

    @Override
    public Identity identify(RequestHead request) {
        String host = request.host();
        if (host == null) {
            return null;
        }
        Matcher m = pattern.matcher(stripPort(host).toLowerCase(Locale.ROOT));
        String customer = m.matches() ? m.group("customer") : null;
        return customer == null ? null : new Identity(customer, null, "host");
    }

    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
