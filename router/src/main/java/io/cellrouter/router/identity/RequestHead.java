package io.cellrouter.router.identity;

import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * What identity sources read of a request, whatever protocol it arrived in: header values (every
 * field of a name, so that a second one is seen and refused, never ignored), the normalised
 * {@link RequestTarget} and the host the client named. Confined to the request's event loop.
 */
public interface RequestHead {

    /** Every value of header {@code name} (lower case), in arrival order. */
    Iterator<String> values(AsciiString name);

    /** The host the client named ({@code Host}, or {@code :authority} over HTTP/2); null if none. */
    String host();

    /** The normalised request target: what the cell will receive. */
    RequestTarget target();

    /** Removes every field named {@code name} before the request is forwarded. */
    void remove(AsciiString name);

    /**
     * The only value of header {@code name}, or null when there is none; two or more fields, or
     * one holding a comma-separated list, are {@code 400 ambiguous_identity}.
     */
    default String single(AsciiString name) {
        Iterator<String> values = values(name);
        if (!values.hasNext()) {
            return null;
        }
        String value = values.next();
        if (values.hasNext()) {
            throw Ambiguity.of("more than one " + name + " header");
        }
        if (value.indexOf(',') >= 0) {
            throw Ambiguity.of(name + " holds a list of values");
        }
        return value;
    }
}
