package io.cellrouter.router.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes raw bytes on a socket and reads one response: for requests a well-behaved client library
 * will not send (a chosen Host, hop-by-hop headers, malformed framing).
 */
public final class RawHttp {

    public record Response(int status, Map<String, String> headers, String body, boolean closed) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {}

    public static Response exchange(InetSocketAddress address, String request) throws IOException {
        try (Socket socket = connect(address, 10_000)) {
            write(socket, request);
            return read(socket.getInputStream());
        }
    }

    /** A plain socket to {@code address} whose reads give up after {@code timeoutMillis}. */
    public static Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(timeoutMillis);
        return socket;
    }

    /** Writes {@code raw} (ISO-8859-1, byte for byte) and flushes it. */
    public static void write(Socket socket, String raw) throws IOException {
        socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /**
     * Reads until the connection ends, which must be a reset: an answer cut short must never end
     * the way a whole one does (over TLS: no close_notify either, which reads as an end). Returns
     * what arrived before it.
     */
    public static String readToAReset(InputStream in) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
        } catch (IOException reset) {
            org.assertj.core.api.Assertions.assertThat(reset).hasMessageContaining("reset");
            return all.toString(StandardCharsets.ISO_8859_1);
        }
        throw new AssertionError("the connection ended as if the answer were whole, after " + all.size() + " bytes: "
                + all.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse(""));
    }

    /** Reads until {@code text} has arrived (ISO-8859-1); returns what arrived. */
    public static String readUntil(InputStream in, String text) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        while (!all.toString(StandardCharsets.ISO_8859_1).contains(text)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended before " + text);
            }
            all.write(b);
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response with a Content-Length body (what the router and the test cells send). */
    public static Response read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.merge(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = readChunked(in);
        } else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        } else if (status == 204 || status == 304 || status < 200) {
            body = new byte[0];
        } else {
            body = in.readAllBytes(); // no framing: the body ends when the connection closes
        }
        boolean closed = "close".equalsIgnoreCase(headers.get("connection"));
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8), closed);
    }

    /** A chunked body; throws when the connection closes before the last chunk. */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                throw new IOException("connection closed inside a chunked body after " + body.size() + " bytes");
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                String trailer;
                while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                    // trailers: not needed by the tests
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(n);
            body.write(chunk);
            if (chunk.length < n || line(in) == null) {
                throw new IOException("connection closed inside a chunk after " + body.size() + " bytes");
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = out.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            out.write(b);
        }
        return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
    }
}
