package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Which cell side a stream gets (opening one is covered end to end: Http2UpstreamIT, GrpcIT, WebSocketHttp2IT). */
class Http2CellConnectTest {

    private static Cell cell(String endpoint) {
        return new Cell("cell-a", URI.create(endpoint), CellState.ACTIVE);
    }

    @Test
    void grpc_alwaysGoesAsFrames() {
        assertThat(Http2CellConnect.framesAsTheyAre(true, cell("http://127.0.0.1:1")))
                .isTrue();
        assertThat(Http2CellConnect.framesAsTheyAre(true, cell("https://127.0.0.1:1")))
                .isTrue();
    }

    @Test
    void cellOverTls_getsFrames_cleartextCell_getsHttp1() {
        assertThat(Http2CellConnect.framesAsTheyAre(false, cell("https://127.0.0.1:1")))
                .isTrue();
        assertThat(Http2CellConnect.framesAsTheyAre(false, cell("http://127.0.0.1:1")))
                .as("converted once to HTTP/1.1")
                .isFalse();
    }
}
