package io.cellrouter.router.error;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Renders a {@link RouterException} as the small JSON response of SPEC section 5. */
public final class ErrorResponses {

    /** Retry-After when the failure does not say: long enough to not hammer, short enough to recover. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private ErrorResponses() {}

    public static FullHttpResponse http1(ByteBufAllocator alloc, RouterException error, boolean close) {
        ErrorCode code = error.code();
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(json(code.code(), error.getMessage()), StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, code.status(), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (code.hasRetryAfter()) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds(error.retryAfter()));
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** Whole seconds, rounded up, at least 1 (RFC 9110 section 10.2.3 takes delay-seconds). */
    static long retryAfterSeconds(Duration retryAfter) {
        Duration value = retryAfter == null ? DEFAULT_RETRY_AFTER : retryAfter;
        long seconds = value.getSeconds() + (value.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** {@code {"error": CODE, "message": MESSAGE}} with the message escaped as a JSON string. */
    public static String json(String code, String message) {
        StringBuilder out = new StringBuilder(48 + message.length());
        out.append("{\"error\":\"").append(code).append("\",\"message\":\"");
        appendEscaped(out, message);
        return out.append("\"}").toString();
    }

    static void appendEscaped(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
