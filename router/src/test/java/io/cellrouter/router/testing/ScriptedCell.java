package io.cellrouter.router.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cell on a plain socket whose every answer is chosen by the test, byte for byte: for each
 * request (head and Content-Length body read) it writes what {@link Script#answer} returns, in one
 * write (or, for an {@link Answer#early} answer, a first part between the head and the body),
 * then closes the connection if the script says so. Used to play a faulty cell: extra bytes
 * behind an answer, a body after a 204, a status of 1000, a body cut short, no framing at all.
 */
public final class ScriptedCell implements AutoCloseable {

    /** One request as the cell read it. Header names are lower case; repeated headers are joined. */
    public record Request(String method, String target, Map<String, List<String>> headers, int connection) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }
    }

    /**
     * What to write for a request, and whether to close afterwards. {@code early}, if not null, is
     * written as soon as the request's head has been read, before its body is: a cell that answers
     * before it has taken the whole upload.
     */
    public record Answer(byte[] early, byte[] bytes, boolean close, boolean reset) {
        public Answer(byte[] bytes, boolean close, boolean reset) {
            this(null, bytes, close, reset);
        }

        /** {@code early} once the head has been read; {@code rest} once the body has been read too. */
        public static Answer early(String early, String rest) {
            return new Answer(
                    early.getBytes(StandardCharsets.ISO_8859_1),
                    rest.getBytes(StandardCharsets.ISO_8859_1),
                    false,
                    false);
        }

        public static Answer of(String raw) {
            return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), false, false);
        }

        public static Answer thenClose(String raw) {
            return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), true, false);
        }

        public static Answer thenReset(String raw) {
            return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), true, true);
        }
    }

    @FunctionalInterface
    public interface Script {
        Answer answer(Request request);
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile Script script;

    public ScriptedCell(Script script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "scripted-cell");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public void script(Script next) {
        this.script = next;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public int connections() {
        return connections.get();
    }

    public List<Request> received() {
        return received;
    }

    /** A response with a Content-Length body. */
    public static String ok(String body, String... headers) {
        StringBuilder out = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String header : headers) {
            out.append(header).append("\r\n");
        }
        return out.append("Content-Length: ")
                .append(body.getBytes(StandardCharsets.ISO_8859_1).length)
                .append("\r\n\r\n")
                .append(body)
                .toString();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a listening socket: nothing to recover
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                int id = connections.incrementAndGet();
                Thread serve = new Thread(() -> serve(socket, id), "scripted-cell-" + id);
                serve.setDaemon(true);
                serve.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket, int id) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            Request request;
            while ((request = readHead(in, id)) != null) {
                received.add(request);
                Answer answer = script.answer(request);
                if (answer.early() != null) {
                    out.write(answer.early());
                    out.flush();
                }
                readBody(in, request);
                out.write(answer.bytes());
                out.flush();
                if (answer.reset()) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                if (answer.close()) {
                    return;
                }
            }
        } catch (IOException peerGone) {
            // The router closed the connection: nothing more to serve on it.
        }
    }

    private static Request readHead(InputStream in, int connection) throws IOException {
        String requestLine = line(in);
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = line(in);
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String line;
        while ((line = line(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(
                            line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return new Request(parts[0], parts.length > 1 ? parts[1] : "", headers, connection);
    }

    private static void readBody(InputStream in, Request request) throws IOException {
        List<String> length = request.headers().get("content-length");
        if (length != null) {
            in.readNBytes(Integer.parseInt(length.get(0)));
        } else if (request.headers().containsKey("transfer-encoding")) {
            readChunked(in);
        }
    }

    private static void readChunked(InputStream in) throws IOException {
        while (true) {
            String size = line(in);
            if (size == null) {
                return;
            }
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                String trailer;
                while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                    // trailers are read and dropped
                }
                return;
            }
            in.readNBytes(n);
            line(in);
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
