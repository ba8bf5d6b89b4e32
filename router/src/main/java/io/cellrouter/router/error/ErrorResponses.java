package io.cellrouter.router.error;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Renders a {@link RouterException} as the router's own answer (README: Answers the router gives
 * itself): a small JSON body over HTTP/1.1 and HTTP/2, a trailers-only response for gRPC.
 */
public final class ErrorResponses {

    /** Retry-After when the failure does not say: long enough to not hammer, short enough to recover. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private static final JsonFactory JSON = new JsonFactory();

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

    /** grpc-message is percent-encoded UTF-8 (gRPC's PROTOCOL-HTTP2.md): printable ASCII but '%' stays. */
    static String percentEncode(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * The same response as {@link #http1} with {@code Connection: close}, already encoded, for
     * handlers that sit in front of the HTTP codec.
     */
    public static ByteBuf http1Bytes(ByteBufAllocator alloc, RouterException error) {
        ErrorCode code = error.code();
        byte[] body = json(code.code(), error.getMessage()).getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + code.status().code() + " " + code.status().reasonPhrase() + "\r\n"
                + "content-type: application/json\r\n"
                + "content-length: " + body.length + "\r\n"
                + (code.hasRetryAfter() ? "retry-after: " + retryAfterSeconds(error.retryAfter()) + "\r\n" : "")
                + "connection: close\r\n\r\n";
        ByteBuf out = alloc.buffer(head.length() + body.length);
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        out.writeBytes(body);
        return out;
    }

    /** The router's own answer on an HTTP/2 stream: the head, followed by {@link #body}. */
    public static Http2Headers http2Head(RouterException error, ByteBuf body) {
        ErrorCode code = error.code();
        Http2Headers headers = new DefaultHttp2Headers()
                .status(code.status().codeAsText())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (code.hasRetryAfter()) {
            headers.setLong(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds(error.retryAfter()));
        }
        return headers;
    }

    /** The JSON body of the router's own answer. */
    public static ByteBuf body(ByteBufAllocator alloc, RouterException error) {
        ByteBuf body = alloc.buffer();
        body.writeCharSequence(json(error.code().code(), error.getMessage()), StandardCharsets.UTF_8);
        return body;
    }

    /**
     * The gRPC form on an HTTP/2 stream: one HEADERS frame that ends the stream (trailers-only).
     * {@code grpcStatus} overrides the code's own status when not negative.
     */
    public static Http2Headers grpcHead(RouterException error, int grpcStatus) {
        ErrorCode code = error.code();
        Http2Headers headers = new DefaultHttp2Headers()
                .status(io.netty.handler.codec.http.HttpResponseStatus.OK.codeAsText())
                .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                .setInt("grpc-status", grpcStatus >= 0 ? grpcStatus : code.grpcCode())
                .set("grpc-message", percentEncode(code.code() + ": " + error.getMessage()));
        if (code.hasRetryAfter()) {
            headers.setLong(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds(error.retryAfter()));
        }
        return headers;
    }

    /** Whole seconds, rounded up, at least 1 (RFC 9110 section 10.2.3 takes delay-seconds). */
    static long retryAfterSeconds(Duration retryAfter) {
        Duration value = retryAfter == null ? DEFAULT_RETRY_AFTER : retryAfter;
        long seconds = value.getSeconds() + (value.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** {@code {"error": CODE, "message": MESSAGE}}, written by Jackson (which escapes the message). */
    public static String json(String code, String message) {
        StringWriter out = new StringWriter(48 + message.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("error", code);
            json.writeStringField("message", message);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return out.toString();
    }
}
