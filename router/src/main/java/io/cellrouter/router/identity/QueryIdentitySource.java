package io.cellrouter.router.identity;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The customer id is the value of one query parameter, e.g. {@code ?customer=acme}. Parameter
 * names are compared after percent-decoding, and both {@code &} and {@code ;} separate parameters,
 * so that no spelling of a second {@code customer} parameter goes unseen: two of them are
 * {@code 400 ambiguous_identity}. So is a parameter that common frameworks read as the same one
 * though the router's exact comparison does not: a name that differs only in case ({@code
 * Customer}: ASP.NET), by a bracket suffix ({@code customer[]}, {@code customer[0]x}: PHP, Rails,
 * Node's {@code qs}) or by leading spaces or brackets ({@code +customer}, {@code [customer]}), with
 * or without {@code customer} beside it. Every parameter is read, however
 * many there are (a decoder that stops after its first thousand would not see a second {@code
 * customer} after them), and a query with a broken percent-escape is {@code 400 malformed_request}.
 */
final class QueryIdentitySource implements IdentitySource {

    private final String parameter;
    /** {@link #parameter} as PHP reads it. */
    private final String phpParameter;

    QueryIdentitySource(String parameter) {
        this.parameter = parameter;
        this.phpParameter = phpName(parameter);
    }

    @Override
    public Identity identify(RequestHead request) {
        String query = request.target().query();
        if (query == null || query.isEmpty()) {
            return null;
        }
        Map<String, List<String>> parameters;
        try {
            parameters = new QueryStringDecoder(query, StandardCharsets.UTF_8, false, Integer.MAX_VALUE).parameters();
        } catch (IllegalArgumentException e) {
            throw new RouterException(
                    ErrorCode.MALFORMED_REQUEST, "malformed request: the query has a broken percent-escape");
        }
        for (String name : parameters.keySet()) {
            if (!name.equals(parameter) && isReadAsTheParameter(name)) {
                throw Ambiguity.of("the query parameter '" + name + "' may be read as '" + parameter + "'");
            }
        }
        List<String> values = parameters.get(parameter);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Ambiguity.of("the query parameter '" + parameter + "' is given " + values.size() + " times");
        }
        return values.get(0).isEmpty() ? null : new Identity(values.get(0), null, "query");
    }

    /**
     * Whether a framework may read {@code name} as the parameter: compared without case, after the
     * rewrites PHP, Rails (Rack) and Node's qs make of a name: leading spaces and brackets dropped,
     * everything from a {@code [} cut off ({@code customer[]x}, {@code customer[x}), trailing
     * {@code ]} dropped ({@code [customer]}); or, as PHP reads both, with {@code .}, space and
     * {@code [} read as {@code _} ({@code customer.id} for {@code customer_id}, and back).
     */
    private boolean isReadAsTheParameter(String name) {
        String n = name.stripLeading();
        while (n.startsWith("[") || n.startsWith("]")) {
            n = n.substring(1).stripLeading();
        }
        if (phpName(n).equalsIgnoreCase(phpParameter)) {
            return true; // PHP: customer.id and customer_id are one
        }
        int bracket = n.indexOf('[');
        if (bracket >= 0) {
            n = n.substring(0, bracket); // customer[], customer[0]x; and customer[x, a hash to Rack
        }
        while (n.endsWith("]")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equalsIgnoreCase(parameter);
    }

    /** The name as PHP reads it: '.', ' ' and '[' (one without its ']') read as '_'. */
    private static String phpName(String name) {
        return name.replace('.', '_').replace(' ', '_').replace('[', '_');
    }
}
