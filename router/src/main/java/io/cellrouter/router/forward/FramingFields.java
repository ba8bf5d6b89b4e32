package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;

/**
 * A message's framing fields written the one way every reader reads alike: {@code
 * Transfer-Encoding: chunked} (the router accepts it in any case and with surrounding whitespace)
 * and {@code Content-Length} as the number the router read ({@code 010} is ten here, and eight to
 * a reader that takes a leading zero for octal). The router frames the body it forwards by what it
 * read. For a request, a cell that read the fields otherwise would look for the next request at
 * another byte of the pooled connection; for a cell's answer, the client would look for its next
 * answer there.
 */
final class FramingFields {

    private FramingFields() {}

    /** Rewrites the framing fields of {@code head} in place when they are not written so already. */
    static void canonical(HttpMessage head) {
        HttpHeaders headers = head.headers();
        String coding = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
        if (coding != null) {
            // The request validator let through nothing but a single chunked coding.
            if (!HttpHeaderValues.CHUNKED.contentEquals(coding)) {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            return;
        }
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
            long read = HttpUtil.getContentLength(head, -1L);
            if (read >= 0 && !isWritten(length, read)) {
                headers.set(HttpHeaderNames.CONTENT_LENGTH, read);
            }
        }
    }

    /** Whether {@code value} is {@code number} in decimal without leading zeros, allocating nothing. */
    private static boolean isWritten(String value, long number) {
        long rest = number;
        for (int i = value.length() - 1; i >= 0; i--) {
            char c = value.charAt(i);
            if (c < '0' || c > '9' || (rest == 0 && i < value.length() - 1) || c - '0' != rest % 10) {
                return false;
            }
            rest /= 10;
        }
        return rest == 0 && !value.isEmpty();
    }
}
