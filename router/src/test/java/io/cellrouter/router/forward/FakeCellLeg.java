package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * A cell side that keeps what it is given, for tests where the cell is a collaborator and not what
 * is under test: the parts written to it, its flushes, and how it was let go.
 */
final class FakeCellLeg implements CellLeg {

    final List<HttpObject> written = new ArrayList<>();
    int flushes;
    boolean writable = true;
    /** The last {@link #readAnswer} call; null: none. */
    Boolean readingAnswer;
    /** {@link #finish}'s argument; null: not finished. */
    Boolean finishedReusable;

    boolean abandoned;
    boolean replayable;

    @Override
    public void write(HttpObject part) {
        written.add(part);
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void readAnswer(boolean on) {
        readingAnswer = on;
    }

    @Override
    public void finish(boolean reusable) {
        finishedReusable = reusable;
    }

    @Override
    public void abandon() {
        abandoned = true;
    }

    @Override
    public boolean replayable() {
        return replayable;
    }

    /** Releases what was written (the test's copy of the request). */
    void release() {
        written.forEach(ReferenceCountUtil::release);
        written.clear();
    }
}
