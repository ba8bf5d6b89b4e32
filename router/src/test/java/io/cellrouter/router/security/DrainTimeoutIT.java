package io.cellrouter.router.security;

import static io.cellrouter.router.testing.RawHttp.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.ScriptedCell;
import io.cellrouter.router.testing.ScriptedCell.Answer;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A drain that runs out of time cuts the HTTP/1.1 answers still under way short with a reset, not
 * with an end that could pass for theirs. The cell answers without a length (its close would end
 * the answer) and then says nothing; the router's timers are long, so only the drain ends it.
 */
@Timeout(60)
class DrainTimeoutIT {

    private static final String FIRST_PART = "the first part";

    private static ScriptedCell quiet;

    @BeforeAll
    static void start() throws Exception {
        quiet = new ScriptedCell(request -> Answer.of("HTTP/1.1 200 OK\r\n\r\n" + FIRST_PART));
    }

    @AfterAll
    static void stop() {
        quiet.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension(
                    "", r -> "  - name: quiet\n    endpoint: " + quiet.endpoint() + "\n", "  ben: quiet\n")
            .proxy(() -> "  idleTimeout: 60s\n  upstream:\n    responseBodyTimeout: 60s\n");

    @Test
    void drainThatRunsOut_resetsTheAnswersUnderWay() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            write(socket, "GET /x HTTP/1.0\r\nHost: router\r\nx-customer-id: ben\r\n\r\n");
            InputStream in = socket.getInputStream();
            String head = RawHttp.readUntil(in, FIRST_PART);

            CompletableFuture<Boolean> drained =
                    CompletableFuture.supplyAsync(() -> router.server().drainAndStop(Duration.ofMillis(300)));

            assertThat(head).startsWith("HTTP/1.1 200");
            RawHttp.readToAReset(in);
            assertThat(drained.get()).as("the drain ran out of time").isFalse();
        }
    }
}
