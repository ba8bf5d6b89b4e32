package io.cellrouter.router.identity;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The customer id is the {@code customer} group of a pattern on the normalised request path
 * ({@link RequestTarget}: the path the cell receives; query excluded). The pattern is searched with
 * {@code lookingAt}, so {@code ^/v1/customers/(?<customer>[^/]+)/} matches every path below a
 * customer. A match where that group took no part (an optional group) names no customer: the
 * source does not apply.
 */
final class PathIdentitySource implements IdentitySource {

    private final Pattern pattern;

    PathIdentitySource(Pattern pattern) {
        this.pattern = pattern;
    }

    @Override
    public Identity identify(RequestHead request) {
        Matcher m = pattern.matcher(request.target().path());
        String customer = m.lookingAt() ? m.group("customer") : null;
        return customer == null ? null : new Identity(customer, null, "path");
    }
}
