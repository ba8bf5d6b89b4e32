package io.cellrouter.router.identity;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The customer id is the value of one query parameter, e.g. {@code ?customer=acme}. Parameter
 * names are compared after percent-decoding, and both {@code &} and {@code ;} separate parameters,
 * so that no spelling of a second {@code customer} parameter goes unseen: two of them are
 * {@code 400 ambiguous_identity}. Every parameter is read, however many there are (a decoder that
 * stops after its first thousand would not see a second {@code customer} after them), and a query
 * with a broken percent-escape is {@code 400 malformed_request}.
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
        List<String> values;
        try {
            values = new QueryStringDecoder(query, StandardCharsets.UTF_8, false, Integer.MAX_VALUE)
                    .parameters()
                    .get(parameter);
        } catch (IllegalArgumentException e) {
            throw new RouterException(
                    ErrorCode.MALFORMED_REQUEST, "malformed request: the query has a broken percent-escape");
        }
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Ambiguity.of("the query parameter '" + parameter + "' is given " + values.size() + " times");
        }
        return values.get(0).isEmpty() ? null : new Identity(values.get(0), null, "query");
    }
}
