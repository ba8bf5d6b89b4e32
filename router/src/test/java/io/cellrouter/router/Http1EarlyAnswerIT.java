package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cell that answers an upload before it has read the body: the rest of the body is still on the
 * client's connection, so the router cannot keep that connection for another request, and says so
 * in the answer ({@code Connection: close}) rather than closing it under a client that was told
 * nothing and may already have sent its next request.
 */
@Timeout(60)
class Http1EarlyAnswerIT {

    private ScriptedCell cell;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCell(), "  alice: sc\n");

    private String startCell() {
        try {
            // The whole answer as soon as the head is read; nothing more once the body is.
            cell = new ScriptedCell(request -> Answer.early(ScriptedCell.ok("early"), ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "  - name: sc\n    endpoint: " + cell.endpoint() + "\n";
    }

    @AfterEach
    void stopCell() {
        cell.close();
    }

    @Test
    void answerBeforeTheWholeBody_announcesTheClose() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 20_000)) {
            RawHttp.write(
                    socket, "POST /upload HTTP/1.1\r\nHost: a\r\nx-customer-id: alice\r\nContent-Length: 10\r\n\r\n");

            RawHttp.Response answer = RawHttp.read(socket.getInputStream());

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("early");
            assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
        }
    }

    @Test
    void answerAfterTheWholeBody_keepsTheConnection() throws Exception {
        cell.script(request -> Answer.of(ScriptedCell.ok("after the body")));
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 20_000)) {
            RawHttp.write(
                    socket,
                    "POST /upload HTTP/1.1\r\nHost: a\r\nx-customer-id: alice\r\nContent-Length: 10\r\n\r\n0123456789");
            RawHttp.Response answer = RawHttp.read(socket.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("connection")).isNull();

            RawHttp.write(socket, "GET /next HTTP/1.1\r\nHost: a\r\nx-customer-id: alice\r\n\r\n");

            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
        }
    }
}
