package io.cellrouter.router.identity;

import io.netty.handler.codec.http.HttpRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The customer id is the {@code customer} group of a pattern on the request path (query
 * excluded). The pattern is searched with {@code lookingAt}, so {@code ^/v1/customers/(?<customer>[^/]+)/}
 * matches every path below a customer.
 */
final class PathIdentitySource implements IdentitySource {

    private final Pattern pattern;

    PathIdentitySource(Pattern pattern) {
        this.pattern = pattern;
    }

    @Override
    public Identity identify(HttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        Matcher m = pattern.matcher(path);
        return m.lookingAt() ? new Identity(m.group("customer"), null, "path") : null;
    }
}
