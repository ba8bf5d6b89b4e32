package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;

/**
 * What a cell's stream tells its exchange, recorded as strings ("headers 200 end", "data 5",
 * "failed REFUSED_STREAM unprocessed: why", "failed INTERNAL_ERROR lost: why", "bad response: why",
 * "readComplete"); the stream's writability, which Netty's
 * flow controller reports as the stream is written, apart. A collaborator, not the thing under test.
 */
final class RecordingCellListener implements CellStreamListener {

    final List<String> events = new ArrayList<>();
    final List<Boolean> writability = new ArrayList<>();

    @Override
    public void cellHeaders(Http2Headers headers, boolean endStream) {
        events.add("headers " + (headers.status() == null ? "trailers" : headers.status()) + (endStream ? " end" : ""));
    }

    @Override
    public void cellData(ByteBuf data, boolean endStream) {
        events.add("data " + data.readableBytes() + (endStream ? " end" : ""));
    }

    @Override
    public void cellFailed(UpstreamResetException reset) {
        events.add("failed " + reset.errorCode() + (reset.refused() ? " unprocessed" : "")
                + (reset.lost() ? " lost" : "") + ": " + reset.getMessage());
    }

    @Override
    public void cellBadResponse(String why) {
        events.add("bad response: " + why);
    }

    @Override
    public void cellReadComplete() {
        events.add("readComplete");
    }

    @Override
    public void cellWritabilityChanged(boolean writable) {
        writability.add(writable);
    }
}
