package io.cellrouter.router.identity;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/** The customer id is the first value of one query parameter, e.g. {@code ?customer=acme}. */
final class QueryIdentitySource implements IdentitySource {

    private final String parameter;

    QueryIdentitySource(String parameter) {
        this.parameter = parameter;
    }

    @Override
    public Identity identify(HttpRequest request) {
        String uri = request.uri();
        if (uri.indexOf('?') < 0) {
            return null;
        }
        List<String> values = new QueryStringDecoder(uri).parameters().get(parameter);
        return values == null || values.isEmpty() || values.get(0).isEmpty()
                ? null
                : new Identity(values.get(0), null, "query");
    }
}
