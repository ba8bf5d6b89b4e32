package io.cellrouter.loadtest.cell;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The cell's answers, encoded once. The buffers are unreleasable and shared by every channel of
 * every event loop: handlers write {@code duplicate()}s, which share the bytes and never free them.
 * The cell frees the bytes themselves once, when it stops ({@link #release}).
 */
final class CellResponses {

    /** The direct buffers under the unreleasable views, freed by {@link #release}. */
    private final List<ByteBuf> owned = new ArrayList<>(3);

    final ByteBuf http1KeepAlive;
    final ByteBuf http1Close;
    final ByteBuf body;
    final Http2Headers h2Headers;

    CellResponses(String name) {
        byte[] bodyBytes = ("{\"cell\":\"" + name + "\"}\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: " + bodyBytes.length
                + "\r\nx-served-by: " + name + "\r\n";
        this.http1KeepAlive = constant(concat(head + "\r\n", bodyBytes));
        this.http1Close = constant(concat(head + "connection: close\r\n\r\n", bodyBytes));
        this.body = constant(bodyBytes);
        this.h2Headers = new DefaultHttp2Headers()
                .status(AsciiString.of("200"))
                .add(AsciiString.of("content-type"), AsciiString.of("application/json"))
                .addInt(AsciiString.of("content-length"), bodyBytes.length)
                .add(AsciiString.of("x-served-by"), AsciiString.of(name));
    }

    private static byte[] concat(String head, byte[] body) {
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    private ByteBuf constant(byte[] bytes) {
        ByteBuf direct = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        owned.add(direct);
        return Unpooled.unreleasableBuffer(direct.asReadOnly());
    }

    /** Frees the answers' bytes: only once no channel can write them any more (the cell stopped). */
    void release() {
        owned.forEach(ByteBuf::release);
        owned.clear();
    }
}
