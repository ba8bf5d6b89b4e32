package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;

/**
 * A cell side that records what the exchange's pieces do to it ("head end", "body 5", "trailers",
 * "answerTaken 7", "clientWritable false", "finish reusable", "abandon") and releases the bodies it
 * is given. Its room is set by the test. A collaborator, not the thing under test.
 */
final class RecordingCellSide implements Http2CellSide {

    final List<String> events = new ArrayList<>();
    boolean writable = true;

    @Override
    public void writeHead(Http2Headers headers, boolean endStream) {
        events.add("head" + (endStream ? " end" : ""));
    }

    @Override
    public void writeBody(ByteBuf data, boolean endStream) {
        events.add("body " + data.readableBytes() + (endStream ? " end" : ""));
        data.release();
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void writeTrailers(Http2Headers trailers) {
        events.add("trailers");
    }

    @Override
    public void flush() {
        events.add("flush");
    }

    @Override
    public void answerTaken(int bytes) {
        events.add("answerTaken " + bytes);
    }

    @Override
    public void clientWritable(boolean writable) {
        events.add("clientWritable " + writable);
    }

    @Override
    public void finish(boolean reusable) {
        events.add("finish" + (reusable ? " reusable" : ""));
    }

    @Override
    public void abandon() {
        events.add("abandon");
    }

    @Override
    public boolean replayable() {
        return true;
    }
}
