package io.cellrouter.router.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cell that misbehaves on purpose: for every connection it reads a request head and then
 * writes {@link #answer} verbatim (it may be garbage, framing the RFC forbids, or half a
 * response), or resets the connection when the answer is {@link #RESET}.
 */
public final class BadCell implements AutoCloseable {

    public static final String RESET = "<reset>";

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile String answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    public BadCell() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "bad-cell");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public void answer(String raw) {
        this.answer = raw;
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread serve = new Thread(() -> serve(socket));
                serve.setDaemon(true);
                serve.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (readHead(in)) {
                String raw = answer;
                if (RESET.equals(raw)) {
                    socket.setSoLinger(true, 0); // close with RST
                    return;
                }
                if (raw.isEmpty()) {
                    return; // close without a word
                }
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException peerGone) {
            // The router closed the connection: this cell has nothing more to do.
        }
    }

    /** Reads up to the blank line that ends a request head; false at end of stream. */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : 0;
            if (matched == 4) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
