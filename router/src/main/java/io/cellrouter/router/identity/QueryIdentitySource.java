package io.cellrouter.router.identity;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * The customer id is the value of one query parameter, e.g. {@code ?customer=acme}. Parameter
 * names are compared after percent-decoding, and both {@code &} and {@code ;} separate parameters,
 * so that no spelling of a second {@code customer} parameter goes unseen: two of them are
 * {@code 400 ambiguous_identity}.
 */
final class QueryIdentitySource implements IdentitySource {

    private final String parameter;

    QueryIdentitySource(String parameter) {
        this.parameter = parameter;
    }

    @Override
    public Identity identify(RequestHead request) {
        String query = request.target().query();
        if (query == null || query.isEmpty()) {
            return null;
        }
        List<String> values = new QueryStringDecoder(query, false).parameters().get(parameter);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Ambiguity.of("the query parameter '" + parameter + "' is given " + values.size() + " times");
        }
        return values.get(0).isEmpty() ? null : new Identity(values.get(0), null, "query");
    }
}
