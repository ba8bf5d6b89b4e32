package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id and the trace context of an exchange (README: Request ids and traces).
 *
 * <p>{@code x-request-id}: a client's value is kept when it is one field of 1–128 visible ASCII
 * characters; anything else (absent, empty, too long, control characters, two fields) is replaced
 * by a new id of 32 hex digits. The id goes to the cell, back to the client, and into the access
 * log. {@code traceparent} (W3C Trace Context) passes unchanged; its trace id is logged.
 */
final class RequestIds {

    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

    static final int MAX_LENGTH = 128;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

    /** The request's id: the client's when acceptable, else a new one, set on the request. */
    static String accept(HttpHeaders headers) {
        Iterator<String> values = headers.valueStringIterator(X_REQUEST_ID);
        if (!values.hasNext()) {
            String id = generate();
            headers.add(X_REQUEST_ID, id); // none to replace
            return id;
        }
        String id = values.next();
        if (!values.hasNext() && valid(id)) {
            return id;
        }
        id = generate();
        headers.set(X_REQUEST_ID, id);
        return id;
    }

    /** The same for an HTTP/2 request's headers, in place. */
    static String accept(Http2Headers headers) {
        Iterator<CharSequence> values = headers.valueIterator(X_REQUEST_ID);
        if (!values.hasNext()) {
            String id = generate();
            headers.add(X_REQUEST_ID, id); // none to replace
            return id;
        }
        CharSequence given = values.next();
        if (!values.hasNext() && valid(given)) {
            return given.toString();
        }
        String id = generate();
        headers.set(X_REQUEST_ID, id);
        return id;
    }

    static boolean valid(CharSequence id) {
        int length = id.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 lower-case hex digits (the form of a W3C trace id). */
    static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        write(out, 0, random.nextLong());
        write(out, 16, random.nextLong());
        return new String(out);
    }

    private static void write(char[] out, int at, long bits) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
    }

    /**
     * The trace id of a W3C {@code traceparent} ({@code 00-<32 hex trace id>-<16 hex parent>-<2 hex
     * flags>}), or null when there is none or it is malformed (an all-zero id is invalid).
     */
    static String traceId(CharSequence traceparent) {
        if (traceparent == null || traceparent.length() < 55) {
            return null;
        }
        if (traceparent.charAt(2) != '-' || traceparent.charAt(35) != '-' || traceparent.charAt(52) != '-') {
            return null;
        }
        boolean nonZero = false;
        for (int i = 3; i < 35; i++) {
            char c = traceparent.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
            nonZero |= c != '0';
        }
        return nonZero ? traceparent.subSequence(3, 35).toString() : null;
    }
}
