package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * Whether a cell's answer on one stream ({@link CellStream}) ends as a whole answer, where Netty's
 * decoder lets it through: an informational (1xx) head must not end the stream (RFC 9113 section
 * 8.1), and an answer that announces a {@code content-length} must end with that many bytes of DATA
 * (section 8.1.1). Netty resets a stream whose DATA goes past the length or ends short of it, but a
 * client's decoder lets an answer with no DATA at all end as it is (it may answer a HEAD): here only
 * an answer to a HEAD, or a 304 (whose length is that of a body it does not carry), may.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class CellStreamFraming {

    /** The request was a HEAD: its answer announces a length and carries no body. */
    private boolean headRequest;
    /** The length the final head announced, when its DATA must match it; else -1. */
    private long expected = -1;

    private long received;

    /** The request's head, as it goes to the cell. */
    void request(Http2Headers head) {
        headRequest = HttpMethod.HEAD.asciiName().contentEquals(head.method());
    }

    /** A HEADERS frame of the answer (a head, or trailers): null if it may be passed on, else why not. */
    String headers(Http2Headers headers, boolean endStream) {
        CharSequence status = headers.status();
        if (status != null) { // a head: trailers have no :status
            if (HttpStatusClass.valueOf(status) == HttpStatusClass.INFORMATIONAL) {
                return endStream ? "an informational (" + status + ") answer ended the stream" : null;
            }
            boolean bodyless =
                    headRequest || HttpResponseStatus.NOT_MODIFIED.codeAsText().contentEquals(status);
            expected = bodyless ? -1 : headers.getLong(HttpHeaderNames.CONTENT_LENGTH, -1);
        }
        return endStream ? atEnd() : null;
    }

    /** A DATA frame of {@code bytes}: null if it may be passed on, else why not. */
    String data(int bytes, boolean endStream) {
        received += bytes;
        return endStream ? atEnd() : null;
    }

    private String atEnd() {
        return expected >= 0 && received != expected
                ? "content-length " + expected + " but " + received + " bytes of body"
                : null;
    }
}
