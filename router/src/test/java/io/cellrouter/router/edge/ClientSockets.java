package io.cellrouter.router.edge;

import io.cellrouter.router.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Raw client connections from a chosen local address (127.0.0.2 is as much loopback as 127.0.0.1
 * on Linux, so a test can be "another client" than the proxy in front of the router).
 */
final class ClientSockets {

    private ClientSockets() {}

    static Socket connect(String localHost, InetSocketAddress to) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localHost, 0));
        socket.connect(to, 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends {@code prefix} (raw bytes, e.g. a PROXY header) then {@code request}; reads one answer. */
    static RawHttp.Response exchange(String localHost, InetSocketAddress to, byte[] prefix, String request)
            throws IOException {
        try (Socket socket = connect(localHost, to)) {
            socket.getOutputStream().write(prefix);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return RawHttp.read(socket.getInputStream());
        }
    }

    static RawHttp.Response exchange(String localHost, InetSocketAddress to, String request) throws IOException {
        return exchange(localHost, to, new byte[0], request);
    }

    /** One request over TLS (trusting {@code tls}), on a connection from {@code localHost}. */
    static RawHttp.Response exchangeTls(String localHost, InetSocketAddress to, SSLContext tls, String request)
            throws IOException {
        try (Socket plain = connect(localHost, to);
                SSLSocket socket =
                        (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", to.getPort(), true)) {
            socket.startHandshake();
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return RawHttp.read(socket.getInputStream());
        }
    }

    /**
     * Sends {@code bytes} and reads until the router ends the connection: true when it closed (or
     * reset) it without answering a single byte.
     */
    static boolean closedWithoutAnswer(String localHost, InetSocketAddress to, byte[] bytes) throws IOException {
        try (Socket socket = connect(localHost, to)) {
            if (bytes.length > 0) {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            }
            InputStream in = socket.getInputStream();
            try {
                return in.read() == -1;
            } catch (SocketException reset) {
                return true; // closed with unread bytes in its buffer: a reset
            }
        }
    }
}
