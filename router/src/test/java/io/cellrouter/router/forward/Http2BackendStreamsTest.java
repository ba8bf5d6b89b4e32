package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;

/** The stream table of a cell connection: ids, the open count, read-complete and failure reports. */
class Http2BackendStreamsTest {

    private final Http2BackendStreams streams = new Http2BackendStreams();
    private final RecordingCellListener first = new RecordingCellListener();
    private final RecordingCellListener second = new RecordingCellListener();
    private final CellStream one = new CellStream(null, first);
    private final CellStream two = new CellStream(null, second);

    @Test
    void openCount_countsStreamsHandedOut_untilClosed() {
        streams.opened();
        streams.opened();
        assertThat(streams.open()).isEqualTo(2);

        streams.closed();
        assertThat(streams.open()).isEqualTo(1);
    }

    @Test
    void bound_streamIsFoundByItsId_untilRemoved() {
        streams.bind(1, one);
        streams.bind(3, two);

        assertThat(streams.get(3)).isSameAs(two);
        assertThat(streams.remove(1)).isSameAs(one);
        assertThat(streams.get(1)).isNull();
    }

    @Test
    void readComplete_tellsEachStreamThatHeardSomething_once() {
        streams.touch(one);
        streams.touch(one);
        streams.touch(two);

        streams.readComplete();

        assertThat(first.events).containsExactly("readComplete");
        assertThat(second.events).containsExactly("readComplete");
    }

    @Test
    void readComplete_nextRead_onlyStreamsTouchedInIt() {
        streams.touch(one);
        streams.readComplete();

        streams.touch(two);
        streams.readComplete();

        assertThat(first.events).containsExactly("readComplete");
        assertThat(second.events).containsExactly("readComplete");
    }

    @Test
    void failed_isReportedOnce_endsTheStream_andCountsAsHeardFrom() {
        streams.failed(
                one,
                new UpstreamResetException(Http2Error.REFUSED_STREAM, true, "cell reset the stream (REFUSED_STREAM)"));
        streams.failed(one, new UpstreamResetException(Http2Error.INTERNAL_ERROR, false, "stream closed by the cell"));
        streams.readComplete();

        assertThat(one.ended()).isTrue();
        assertThat(first.events)
                .containsExactly(
                        "failed REFUSED_STREAM unprocessed: cell reset the stream (REFUSED_STREAM)", "readComplete");
    }

    @Test
    void failed_afterTheStreamEnded_isNotReported() {
        one.end(); // END_STREAM came

        streams.failed(one, new UpstreamResetException(Http2Error.INTERNAL_ERROR, false, "stream closed by the cell"));

        assertThat(first.events).isEmpty();
    }

    @Test
    void badResponse_isReportedOnce_andEndsTheStream() {
        streams.badResponse(one, "an informational (103) answer ended the stream");
        streams.failed(one, UpstreamResetException.connectionLost("connection to the cell was lost"));

        assertThat(one.ended()).isTrue();
        assertThat(first.events).containsExactly("bad response: an informational (103) answer ended the stream");
    }
}
