package io.cellrouter.loadtest.cell;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cell's pre-encoded answers: shared views that writers cannot free, freed once by the cell. */
class CellResponsesTest {

    @Test
    void views_surviveTheirWritersReleases_andTheBytesAreFreedOnlyByRelease() {
        CellResponses responses = new CellResponses("cell-1");
        List<ByteBuf> views = List.of(responses.http1KeepAlive, responses.http1Close, responses.body);

        ByteBuf written = responses.http1KeepAlive.duplicate();
        written.release(); // what a channel does with a written duplicate
        assertThat(responses.http1KeepAlive.toString(StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 200 OK")
                .endsWith("{\"cell\":\"cell-1\"}\n");

        responses.release();

        assertThat(views).allSatisfy(view -> assertThat(bytesUnder(view).refCnt())
                .as("the direct buffer under the view is freed")
                .isZero());
        responses.release(); // a second stop frees nothing twice
    }

    private static ByteBuf bytesUnder(ByteBuf view) {
        ByteBuf inner = view;
        while (inner.unwrap() != null) {
            inner = inner.unwrap();
        }
        return inner;
    }
}
