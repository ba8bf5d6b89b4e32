package io.cellrouter.router.forward;

import io.cellrouter.router.transport.ClientAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Header rewriting between client and cell (README: Headers).
 *
 * <p>Hop-by-hop headers (RFC 9110 section 7.6.1) and every header named in {@code Connection}
 * are removed in both directions, except what the router acted on: {@code Transfer-Encoding} and
 * {@code Content-Length} (the relay forwards the body in the framing it arrived in), {@code Host},
 * {@code x-request-id} and the identity fields.
 * The {@code x-cell-router-*} headers are the router's to set: what a client sends under those
 * names is removed. Where the request came from (README: "Where a request came from") depends on
 * who sent it: from a trusted proxy ({@link ClientAddress#trustedProxy()}), {@code X-Forwarded-For}
 * is appended to and {@code Forwarded}, {@code X-Forwarded-Proto}, {@code X-Real-IP} and the other
 * {@code x-forwarded-*} fields are kept; from anyone else every {@code x-forwarded-*} field,
 * {@code Forwarded} and {@code X-Real-IP} are removed and {@code X-Forwarded-For} and {@code
 * X-Forwarded-Proto} set to what the router saw. {@code X-Forwarded-Host} is always the Host the
 * router received, and {@code X-Forwarded-Port} is always removed.
 *
 * <p>A field removed or replaced here because it is the router's to decide is also removed under
 * every other spelling of its name ({@link FieldSpellings}: {@code x_forwarded_for}, {@code
 * X_Real_IP}, {@code x_cell_router_cell}, {@code x_customer_id} for the identity fields), from
 * trusted proxies too: a server that reads {@code '_'} as {@code '-'} would take it for the
 * router's. One pass over the names finds what is to do; the common request, with no field to
 * replace and no {@code '_'} in a name, is only added to.
 */
public final class ForwardHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString X_CELL_ROUTER_CELL = AsciiString.cached("x-cell-router-cell");
    /** The customer the router routed the request for: the one identity the cell may rely on. */
    public static final AsciiString X_CELL_ROUTER_CUSTOMER = AsciiString.cached("x-cell-router-customer");

    static final String ROUTER_PREFIX = "x-cell-router-";
    /** Netty's HTTP/2 ↔ HTTP/1.1 conversion adds these for its own use; they never leave the router. */
    static final String HTTP2_EXTENSION_PREFIX = "x-http2-";

    private static final String X_FORWARDED_PREFIX = "x-forwarded-";

    /**
     * What {@link #toCell} removes in every other spelling, beside the identity fields: the router's
     * own fields, and the framing and hop-by-hop fields with a {@code '-'}, whose spelling a server
     * that reads {@code transfer_encoding} as {@code Transfer-Encoding} would frame the request by.
     */
    private static final AsciiString[] SPELLED_NAMED = {
        X_REAL_IP,
        RequestIds.X_REQUEST_ID,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.CONTENT_LENGTH,
        AsciiString.cached("keep-alive"),
        AsciiString.cached("proxy-connection"),
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.PROXY_AUTHORIZATION
    };

    private static final String[] SPELLED_PREFIXES = {X_FORWARDED_PREFIX, ROUTER_PREFIX};

    /** What {@link #scanRequest} found: a field to remove or replace, a name with a {@code '_'}. */
    private static final int REWRITTEN = 1;

    private static final int UNDERSCORE = 2;

    /** The {@code x-} fields {@link #toCell} removes or replaces ({@code x-forwarded-port} included). */
    private static final String[] REWRITTEN_X_PREFIXES = {
        X_FORWARDED_PREFIX, "x-real-ip", ROUTER_PREFIX, HTTP2_EXTENSION_PREFIX
    };

    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION,
        AsciiString.cached("keep-alive"), // HTTP/1.0's; Netty deprecates its constant
        AsciiString.cached("proxy-connection"),
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.TE,
        HttpHeaderNames.UPGRADE
    };

    private ForwardHeaders() {}

    /** Rewrites request headers in place for the cell (no identity fields to keep: tests, tools). */
    public static void toCell(HttpHeaders headers, ClientAddress client, String proto, String cell) {
        toCell(headers, client, proto, cell, List.of());
    }

    /**
     * Rewrites request headers in place for the cell. {@code identityFields} are the fields the
     * router read the customer from: a {@code Connection} field naming them (or {@code
     * x-request-id}) does not remove them, so the cell sees what the router decided on.
     */
    public static void toCell(
            HttpHeaders headers, ClientAddress client, String proto, String cell, List<AsciiString> identityFields) {
        int found = scanRequest(headers.iteratorCharSequence());
        if ((found & UNDERSCORE) != 0 || FieldSpellings.anyUnderscore(identityFields)) {
            FieldSpellings.remove(
                    headers.iteratorCharSequence(), headers::remove, SPELLED_NAMED, identityFields, SPELLED_PREFIXES);
        }
        if ((found & REWRITTEN) == 0) {
            // The common case, found in one pass over the names: nothing to remove or replace.
            String host = headers.get(HttpHeaderNames.HOST);
            headers.add(X_FORWARDED_FOR, client.ip());
            headers.add(X_FORWARDED_PROTO, proto);
            if (host != null) {
                headers.add(X_FORWARDED_HOST, host);
            }
            headers.add(X_CELL_ROUTER_CELL, cell);
            return;
        }
        removeHopByHop(headers, identityFields);
        String host = headers.get(HttpHeaderNames.HOST);
        headers.remove(X_FORWARDED_PORT);
        removePrefixed(headers, ROUTER_PREFIX, HTTP2_EXTENSION_PREFIX);
        if (client.trustedProxy()) {
            List<String> chain = headers.getAll(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, chain.isEmpty() ? client.ip() : appended(chain, client.ip()));
            if (!headers.contains(X_FORWARDED_PROTO)) {
                headers.set(X_FORWARDED_PROTO, proto);
            }
        } else {
            // Claims about where the request came from are the router's to make: a client's own
            // Forwarded, X-Real-IP or any x-forwarded-* (-prefix, -ssl, -client-cert, -user...)
            // would let it pose to the cell as another address, scheme, path or caller.
            headers.remove(FORWARDED);
            headers.remove(X_REAL_IP);
            removePrefixed(headers, X_FORWARDED_PREFIX);
            headers.set(X_FORWARDED_FOR, client.ip());
            headers.set(X_FORWARDED_PROTO, proto);
        }
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        headers.set(X_CELL_ROUTER_CELL, cell);
    }

    /**
     * Names the customer the router decided on, after {@link #toCell} (which removed any client's
     * {@code x-cell-router-*}). Several identity sources may name customers in one request (a token
     * for one, a path or host naming another; the first configured source wins): this field says
     * which one the router routed for, so a cell can refuse a request whose other fields disagree.
     */
    static void nameCustomer(HttpHeaders headers, String customer) {
        if (customer != null) {
            headers.set(X_CELL_ROUTER_CUSTOMER, customer);
        }
    }

    /** {@link #nameCustomer(HttpHeaders, String)} on an HTTP/2 request's headers. */
    static void nameCustomer(Http2Headers headers, String customer) {
        if (customer != null) {
            headers.set(X_CELL_ROUTER_CUSTOMER, customer);
        }
    }

    /** The HTTP/2 rewrite for a request to {@code context}'s listener: its scheme, its identity fields. */
    static void toCell(Http2Headers headers, ClientAddress client, ProxyContext context, String cell) {
        toCell(headers, client, context.scheme(), cell, context.router().identityFields());
    }

    /** The HTTP/2 rewrite with no identity fields (tests, tools). */
    public static void toCell(Http2Headers headers, ClientAddress client, String proto, String cell) {
        toCell(headers, client, proto, cell, List.of());
    }

    /**
     * The same rewrite on an HTTP/2 request's headers, in place (the frames are relayed, not
     * converted). Connection-specific fields cannot be there: the HTTP/2 codec refuses them.
     * {@code identityFields} are removed in their other spellings, like the forwarding fields.
     */
    public static void toCell(
            Http2Headers headers, ClientAddress client, String proto, String cell, List<AsciiString> identityFields) {
        int found = scanRequest(headers.iterator());
        if ((found & UNDERSCORE) != 0 || FieldSpellings.anyUnderscore(identityFields)) {
            FieldSpellings.remove(headers.iterator(), headers::remove, SPELLED_NAMED, identityFields, SPELLED_PREFIXES);
        }
        if ((found & REWRITTEN) == 0) {
            CharSequence host = headers.authority();
            if (host == null) {
                host = headers.get(HttpHeaderNames.HOST);
            }
            headers.add(X_FORWARDED_FOR, client.ip());
            headers.add(X_FORWARDED_PROTO, proto);
            if (host != null) {
                headers.add(X_FORWARDED_HOST, host);
            }
            headers.add(X_CELL_ROUTER_CELL, cell);
            return;
        }
        headers.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        headers.remove(X_FORWARDED_PORT);
        removePrefixed(headers, ROUTER_PREFIX, HTTP2_EXTENSION_PREFIX);
        if (client.trustedProxy()) {
            List<CharSequence> chain = headers.getAll(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, chain.isEmpty() ? client.ip() : appended(chain, client.ip()));
            if (!headers.contains(X_FORWARDED_PROTO)) {
                headers.set(X_FORWARDED_PROTO, proto);
            }
        } else {
            headers.remove(FORWARDED);
            headers.remove(X_REAL_IP);
            removePrefixed(headers, X_FORWARDED_PREFIX);
            headers.set(X_FORWARDED_FOR, client.ip());
            headers.set(X_FORWARDED_PROTO, proto);
        }
        CharSequence host = headers.authority();
        if (host == null) {
            host = headers.get(HttpHeaderNames.HOST);
        }
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        headers.set(X_CELL_ROUTER_CELL, cell);
    }

    /**
     * Whether any field is one {@code toCell} removes, replaces or appends to: a hop-by-hop field,
     * {@code Forwarded}, an {@code x-forwarded-*}, {@code x-real-ip}, {@code x-cell-router-*} or
     * {@code x-http2-*} field. When none is, the rewrite only adds its fields.
     */
    private static boolean anyRewritten(Iterator<? extends Map.Entry<? extends CharSequence, ?>> fields) {
        while (fields.hasNext()) {
            if (rewritten(fields.next().getKey())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A request's names in one pass: {@link #REWRITTEN} if any is a field {@code toCell} removes,
     * replaces or appends to, {@link #UNDERSCORE} if any has a {@code '_'} (and may spell one).
     */
    private static int scanRequest(Iterator<? extends Map.Entry<? extends CharSequence, ?>> fields) {
        int found = 0;
        while (fields.hasNext() && found != (REWRITTEN | UNDERSCORE)) {
            CharSequence name = fields.next().getKey();
            if ((found & REWRITTEN) == 0 && rewritten(name)) {
                found |= REWRITTEN;
            }
            if ((found & UNDERSCORE) == 0 && FieldSpellings.hasUnderscore(name)) {
                found |= UNDERSCORE;
            }
        }
        return found;
    }

    private static boolean rewritten(CharSequence name) {
        if (name.length() > 1 && (name.charAt(0) == 'x' || name.charAt(0) == 'X') && name.charAt(1) == '-') {
            for (String prefix : REWRITTEN_X_PREFIXES) {
                if (AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length())) {
                    return true;
                }
            }
            return false;
        }
        for (AsciiString hopByHop : HOP_BY_HOP) {
            if (hopByHop.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return FORWARDED.contentEqualsIgnoreCase(name);
    }

    /** The fields of {@code chain} as one list, then {@code ip}: {@code "a, b, ip"}. */
    private static String appended(List<? extends CharSequence> chain, String ip) {
        StringBuilder joined = new StringBuilder();
        for (CharSequence value : chain) {
            joined.append(value).append(", ");
        }
        return joined.append(ip).toString();
    }

    /** Rewrites an HTTP/2 cell's response headers in place for the client. */
    public static void toClient(Http2Headers headers) {
        headers.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
    }

    /** Removes the {@code x-http2-*} fields Netty's HTTP/2 to HTTP/1.1 conversion adds for itself. */
    static void removeConversionHeaders(HttpHeaders headers) {
        removePrefixed(headers, HTTP2_EXTENSION_PREFIX);
    }

    /** Rewrites response headers in place for the client. */
    public static void toClient(HttpHeaders headers) {
        if (!anyRewritten(headers.iteratorCharSequence())) {
            return; // the common case, found in one pass over the names: nothing to remove
        }
        removeHopByHop(headers);
        removePrefixed(headers, HTTP2_EXTENSION_PREFIX);
    }

    static void removeHopByHop(HttpHeaders headers) {
        removeHopByHop(headers, List.of());
    }

    /**
     * Removes the hop-by-hop fields and those {@code Connection} names, except framing, {@code
     * Host}, {@code x-request-id} and {@code kept}: fields the router has already acted on, which
     * a client may not take away from the cell by calling them hop-by-hop.
     */
    static void removeHopByHop(HttpHeaders headers, List<AsciiString> kept) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        if (!connection.isEmpty()) {
            for (String value : connection) {
                for (String token : value.split(",")) {
                    String name = token.trim().toLowerCase(Locale.ROOT);
                    if (!name.isEmpty() && !routerRead(name, kept)) {
                        headers.remove(name);
                    }
                }
            }
        }
        // "TE: trailers" says the client accepts trailers; gRPC needs it on the way to the cell.
        boolean trailers = HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(headers.get(HttpHeaderNames.TE, ""));
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
        if (trailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
    }

    /** Whether {@code Connection} may not remove {@code name}: framing (that would desynchronise the relay), or a field the router read. */
    private static boolean routerRead(String name, List<AsciiString> kept) {
        if (HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                || RequestIds.X_REQUEST_ID.contentEqualsIgnoreCase(name)) {
            return true;
        }
        for (AsciiString field : kept) {
            if (field.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    static void removePrefixed(Http2Headers headers, String... prefixes) {
        List<CharSequence> doomed = null;
        for (var entry : headers) {
            CharSequence name = entry.getKey();
            for (String prefix : prefixes) {
                if (AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length())) {
                    if (doomed == null) {
                        doomed = new ArrayList<>(2);
                    }
                    doomed.add(name);
                    break;
                }
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    /** Removes every header whose name starts with one of {@code prefixes}: one pass, no copies of names. */
    static void removePrefixed(HttpHeaders headers, String... prefixes) {
        List<CharSequence> doomed = null;
        for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            for (String prefix : prefixes) {
                if (AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length())) {
                    if (doomed == null) {
                        doomed = new ArrayList<>(2);
                    }
                    doomed.add(name);
                    break;
                }
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }
}
