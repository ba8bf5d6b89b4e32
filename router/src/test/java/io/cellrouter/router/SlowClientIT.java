package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slow clients (README: Configuration): a head that trickles in, a body that stalls, an old connection. */
@Timeout(30)
class SlowClientIT {

    /**
     * Long enough that the first exchange of a new connection (accept, head, answer) is always
     * "young", even on a loaded machine; the test then waits this long to make it old.
     */
    static final long MAX_CONNECTION_AGE_MILLIS = 2_000;

    @RegisterExtension
    final RouterExtension router = new RouterExtension()
            .proxy(() -> "  requestHeaderTimeout: 500ms\n  requestBodyTimeout: 500ms\n  maxConnectionAge: "
                    + MAX_CONNECTION_AGE_MILLIS + "ms\n  upstream:\n    connectTimeout: 1s\n");

    @Test
    void headThatTricklesIn_gets408_andTheConnectionCloses() throws Exception {
        try (Socket socket = socket()) {
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // ...and never the rest of the head.
            String response = StrictParsingIT.readAll(socket.getInputStream());

            assertThat(response)
                    .startsWith("HTTP/1.1 408 ")
                    .contains("request_timeout")
                    .contains("connection: close");
        }
        assertThat(router.cell("cell-1").requestCount()).isZero();
    }

    @Test
    void bodyThatStalls_isCutOff_andTheConnectionCloses() throws Exception {
        try (Socket socket = socket()) {
            socket.getOutputStream()
                    .write(("POST /up HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n"
                                    + "Content-Length: 100\r\n\r\nonly ten b")
                            .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();

            String response = StrictParsingIT.readAll(socket.getInputStream());

            // The cell waits for the rest of the body, so no answer has started: the router's 408.
            assertThat(response).startsWith("HTTP/1.1 408 ");
        }
    }

    @Test
    void connectionOlderThanMaxAge_isClosedAfterItsNextExchange() throws Exception {
        try (Socket socket = socket()) {
            String request = "GET / HTTP/1.1\r\nHost: a\r\nx-customer-id: acme\r\n\r\n";
            InputStream in = socket.getInputStream();
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response young = RawHttp.read(in);
            assertThat(young.closed()).isFalse();

            // What is tested is the passage of time itself: the connection's age, measured on the
            // router's event-loop ticker, which a test over real sockets cannot advance (so there is
            // no condition to await; Http1KeepAliveTest drives the same rule with a mock ticker).
            // Sleeping longer than maxConnectionAge makes it old whatever the machine's speed.
            Thread.sleep(MAX_CONNECTION_AGE_MILLIS + 100);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Response old = RawHttp.read(in);

            assertThat(old.status()).isEqualTo(200);
            assertThat(old.closed())
                    .as("Connection: close on the exchange after maxConnectionAge")
                    .isTrue();
        }
    }

    private Socket socket() throws Exception {
        Socket socket = new Socket("127.0.0.1", router.server().proxyAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
