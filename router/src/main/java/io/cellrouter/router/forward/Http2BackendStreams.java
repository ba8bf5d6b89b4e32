package io.cellrouter.router.forward;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;

/**
 * The streams of one connection to a cell ({@link Http2Backend}): which {@link CellStream} a
 * stream id belongs to, how many streams are open (what {@link Http2Backend#hasRoom} counts), and
 * which streams heard something during the current read, so that each of their listeners is told
 * once when the read completes ({@link CellStreamListener#cellReadComplete}).
 *
 * <p>A stream that ends without its END_STREAM is reported to its listener once ({@link #failed}),
 * whatever ended it: a reset, a failed write, the connection closing.
 *
 * <p>Concurrency: confined to the connection's event loop.
 */
final class Http2BackendStreams {

    private final IntObjectMap<CellStream> byId = new IntObjectHashMap<>();
    /** Streams that heard something during the current read; told when it completes. */
    private final ArrayList<CellStream> touched = new ArrayList<>();
    /** Streams handed out and not yet closed (including one whose head is being written). */
    private int open;

    /** A stream was handed out: it counts as open from now on, before it has an id. */
    void opened() {
        open++;
    }

    /** A stream handed out has closed (or was given up before its head was written). */
    void closed() {
        open--;
    }

    int open() {
        return open;
    }

    /** The stream's head is being written with id {@code streamId}: frames for that id are its. */
    void bind(int streamId, CellStream stream) {
        byId.put(streamId, stream);
    }

    CellStream get(int streamId) {
        return byId.get(streamId);
    }

    CellStream remove(int streamId) {
        return byId.remove(streamId);
    }

    /** {@code stream} heard something in this read: its listener is told when the read completes. */
    void touch(CellStream stream) {
        if (!stream.touched) {
            stream.touched = true;
            touched.add(stream);
        }
    }

    /** The connection's read completed: every stream that heard something in it is told, once. */
    void readComplete() {
        for (int i = 0; i < touched.size(); i++) {
            CellStream stream = touched.get(i);
            stream.touched = false;
            stream.listener().cellReadComplete();
        }
        touched.clear();
    }

    /**
     * {@code stream} ended without its END_STREAM: its listener hears it once, as failed ({@code
     * reset} says how, and whether the cell never saw the stream: then it may be sent again).
     */
    void failed(CellStream stream, UpstreamResetException reset) {
        if (!stream.ended()) {
            stream.end();
            touch(stream);
            stream.listener().cellFailed(reset);
        }
    }

    /** The cell's answer on {@code stream} is not valid ({@code why}): its listener hears it once, and nothing more. */
    void badResponse(CellStream stream, String why) {
        if (!stream.ended()) {
            stream.end();
            touch(stream);
            stream.listener().cellBadResponse(why);
        }
    }
}
