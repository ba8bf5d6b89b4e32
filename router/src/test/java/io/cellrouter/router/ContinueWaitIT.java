package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that sent {@code Expect: 100-continue} and waits for the cell's 100 is not a client
 * whose body stopped arriving: when the cell never answers, the wait is the cell's (504), not the
 * client's (408), however short {@code requestBodyTimeout} is. Once it has sent body bytes it no
 * longer waits, and a body that stops is its own (408).
 */
@Timeout(60)
class ContinueWaitIT {

    private ScriptedCell cell;

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> startCell(), "  alice: sc\n")
            .proxy(() -> "  requestBodyTimeout: 300ms\n  upstream:\n    responseTimeout: 2s\n");

    private String startCell() {
        try {
            // Reads the head, then waits for a body that the client holds back until a 100 comes.
            cell = new ScriptedCell(request -> Answer.of(ScriptedCell.ok("too late")));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "  - name: sc\n    endpoint: " + cell.endpoint() + "\n";
    }

    @AfterEach
    void stopCell() {
        cell.close();
    }

    @Test
    void aClientWaitingForTheCellsContinue_getsTheCellsTimeout_notARequestTimeout() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 20_000)) {
            RawHttp.write(
                    socket,
                    "POST /upload HTTP/1.1\r\nHost: a\r\nx-customer-id: alice\r\nExpect: 100-continue\r\n"
                            + "Content-Length: 10\r\n\r\n");

            RawHttp.Response answer = RawHttp.read(socket.getInputStream());

            assertThat(answer.status()).isEqualTo(504);
            assertThat(answer.body()).contains("cell_timeout");
        }
    }

    /** A client that stopped waiting and sent part of its body, then nothing: its upload stalled (408). */
    @Test
    void aClientThatSentPartOfItsBodyAndStopped_getsARequestTimeout() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 20_000)) {
            RawHttp.write(
                    socket,
                    "POST /upload HTTP/1.1\r\nHost: a\r\nx-customer-id: alice\r\nExpect: 100-continue\r\n"
                            + "Content-Length: 10\r\n\r\nabc");

            RawHttp.Response answer = RawHttp.read(socket.getInputStream());

            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.body()).contains("request_timeout");
        }
    }
}
