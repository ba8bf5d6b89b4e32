package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.io.InputStream;
import java.net.Socket;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A customer moved while the answer to its request is under way on a keep-alive HTTP/1.1
 * connection. The answer's head already went out without {@code Connection: close}, so the client
 * may send its next request at once: the router must not close the connection after the answer
 * (that request would be lost, seen by nobody), but route it anew, to the new cell. The old cell
 * is WireMock, dribbling its answer over 5 s so that the move, made as soon as the head arrives,
 * lands between the head and the end.
 */
class MoveKeepAliveIT {

    static WireMockCell cell3;

    @BeforeAll
    static void startCell() {
        cell3 = WireMockCell.start("cell-3");
        cell3.stub(any(anyUrl())
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("x-served-by", "cell-3")
                        .withBody("0123456789")
                        .withChunkedDribbleDelay(10, 5_000)));
    }

    @AfterAll
    static void stopCell() {
        cell3.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> cell3.registryYaml(), "  wily: cell-3\n");

    @Test
    void moveAfterTheAnswersHeadWentOut_theNextRequestOnTheConnectionReachesTheNewCell() throws Exception {
        String request = "GET /x HTTP/1.1\r\nHost: router\r\nx-customer-id: wily\r\n\r\n";
        try (Socket socket = RawHttp.connect(router.server().proxyAddress(), 10_000)) {
            InputStream in = socket.getInputStream();
            RawHttp.write(socket, request);
            String head = RawHttp.readUntil(in, "\r\n\r\n");
            assertThat(head).startsWith("HTTP/1.1 200");
            assertThat(head.toLowerCase(Locale.ROOT)).doesNotContain("connection: close");

            assertThat(AdminCalls.of(router, RouterExtension.ADMIN_TOKEN)
                            .send("POST", "/admin/v1/customers/wily/move", "{\"toCell\":\"cell-2\"}")
                            .statusCode())
                    .isEqualTo(200);
            // The dribbled body arrives chunked: its end is the last chunk.
            assertThat(head.toLowerCase(Locale.ROOT)).contains("transfer-encoding: chunked");
            assertThat(RawHttp.readUntil(in, "\r\n0\r\n\r\n")).contains("1\r\n0\r\n", "1\r\n9\r\n");
            RawHttp.write(socket, request);
            RawHttp.Response next = RawHttp.read(in);

            assertThat(next.status()).isEqualTo(200);
            assertThat(next.headers()).containsEntry("x-served-by", "cell-2");
        }
    }
}
