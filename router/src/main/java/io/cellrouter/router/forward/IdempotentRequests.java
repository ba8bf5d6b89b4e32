package io.cellrouter.router.forward;

import io.netty.util.AsciiString;

/**
 * Whether sending a request twice does no more than sending it once: an idempotent method (RFC
 * 9110, section 9.2.2), or an {@code Idempotency-Key} the cell deduplicates by. Only such a request
 * is sent again after its reused connection closed unanswered ({@link ReusedConnectionClosed}).
 */
final class IdempotentRequests {

    static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");

    private IdempotentRequests() {}

    /** {@code method} as sent; {@code idempotencyKey}: the request carries an {@code Idempotency-Key}. */
    static boolean test(CharSequence method, boolean idempotencyKey) {
        return idempotencyKey
                || AsciiString.contentEquals("GET", method)
                || AsciiString.contentEquals("HEAD", method)
                || AsciiString.contentEquals("OPTIONS", method)
                || AsciiString.contentEquals("TRACE", method)
                || AsciiString.contentEquals("PUT", method)
                || AsciiString.contentEquals("DELETE", method);
    }
}
