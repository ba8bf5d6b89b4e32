package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

/**
 * An HTTP/1.1 client's exchange carried on an HTTP/2 stream to a cell: the one place where the
 * request is converted to frames and the answer back to {@link HttpObject}s (the cross-protocol
 * case; an HTTP/2 client's requests to an HTTP/2 cell are relayed as frames, without this).
 *
 * <p>The request head is held until the next part is known, so that a request without a body
 * goes out as one HEADERS frame with END_STREAM. The cell's DATA is acknowledged (flow control)
 * as it is handed on while the client can take it, and held back while it cannot.
 *
 * <p>Concurrency: confined to the exchange's event loop.
 */
final class Http2StreamLeg implements CellLeg, CellStreamListener {

    private final String scheme;
    private UpstreamListener listener;
    private CellStream stream;
    private Http2Headers pendingHead;
    private boolean responseStarted;
    private boolean reading = true;
    private int unacknowledged;
    /**
     * Small DATA frames that came while the client could take nothing, copied into one buffer
     * instead of passed on one by one: each would be an entry of its own (and a chunk of its own)
     * in the client connection's outbound buffer, about a hundred times its bytes in memory for an
     * answer sent in 1-byte frames to a client that reads nothing.
     */
    private ByteBuf held;

    /** {@code scheme}: {@code https} for a TLS cell, else {@code http}. */
    Http2StreamLeg(String scheme, UpstreamListener listener) {
        this.scheme = scheme;
        this.listener = listener;
    }

    void attach(CellStream cellStream) {
        this.stream = cellStream;
    }

    @Override
    public void write(HttpObject part) {
        if (part instanceof HttpRequest request) {
            pendingHead = Http2RequestHeads.fromHttp1(request, scheme);
        }
        if (part instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            ByteBuf data = content.content();
            Http2Headers trailers =
                    last && !((LastHttpContent) content).trailingHeaders().isEmpty()
                            ? HttpConversionUtil.toHttp2Headers(((LastHttpContent) content).trailingHeaders(), false)
                            : null;
            if (pendingHead != null) {
                boolean headEnds = last && !data.isReadable() && trailers == null;
                stream.writeHeaders(pendingHead, headEnds);
                pendingHead = null;
                if (headEnds) {
                    content.release();
                    stream.flush();
                    return;
                }
            }
            if (data.isReadable() || (last && trailers == null)) {
                stream.writeData(data, last && trailers == null, null);
            } else {
                content.release();
            }
            if (trailers != null) {
                stream.writeTrailers(trailers);
            }
        }
    }

    @Override
    public void flush() {
        if (pendingHead != null) {
            stream.writeHeaders(pendingHead, false);
            pendingHead = null;
        }
        stream.flush();
    }

    @Override
    public boolean isWritable() {
        return stream.isWritable();
    }

    @Override
    public void readAnswer(boolean on) {
        reading = on;
        if (on && held != null) {
            passHeld();
            if (listener != null) {
                listener.upstreamReadComplete(); // flushed now: the cell may have nothing more to send
            }
        }
        if (on && unacknowledged > 0) {
            int bytes = unacknowledged;
            unacknowledged = 0;
            stream.consumed(bytes);
        }
    }

    @Override
    public void finish(boolean reusable) {
        listener = null;
        releaseHeld();
        stream.finish(reusable); // cancels the stream if the request was still being sent
    }

    @Override
    public void abandon() {
        listener = null;
        releaseHeld();
        stream.reset(Http2Error.CANCEL);
    }

    @Override
    public boolean replayable() {
        return true;
    }

    @Override
    public void cellHeaders(Http2Headers headers, boolean endStream) {
        if (listener == null) {
            return;
        }
        try {
            if (!responseStarted) {
                int status = headers.status() == null
                        ? -1
                        : AsciiString.of(headers.status()).parseInt();
                boolean informational = status >= 100 && status < 200;
                HttpResponse head = informational || endStream
                        ? HttpConversionUtil.toFullHttpResponse(
                                stream.id(), headers, io.netty.buffer.Unpooled.EMPTY_BUFFER, false)
                        : HttpConversionUtil.toHttpResponse(stream.id(), headers, false);
                String problem = CellResponseValidator.HTTP2.check(head);
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
                responseStarted = !informational;
                listener.upstreamRead(head);
            } else {
                passHeld();
                LastHttpContent trailers = new DefaultLastHttpContent();
                HttpConversionUtil.addHttp2ToHttpHeaders(
                        stream.id(), headers, trailers.trailingHeaders(), HttpVersion.HTTP_1_1, true, false);
                listener.upstreamRead(trailers);
            }
        } catch (Http2Exception | RuntimeException e) {
            invalid(e);
        }
    }

    /** The cell's answer is not one: the relay answers 502 (or cuts a started answer short). */
    private void invalid(Exception why) {
        HttpResponse invalid = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.BAD_GATEWAY);
        invalid.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(why));
        listener.upstreamRead(invalid);
    }

    @Override
    public void cellData(ByteBuf data, boolean endStream) {
        if (listener == null) {
            stream.consumed(data.readableBytes());
            return;
        }
        if (!responseStarted) {
            // DATA before the answer's HEADERS (or after a 1xx only): nothing to frame it in.
            stream.consumed(data.readableBytes());
            invalid(new IllegalStateException("DATA before the response headers"));
            return;
        }
        int bytes = data.readableBytes();
        if (reading) {
            stream.consumed(bytes);
        } else {
            unacknowledged += bytes;
            if (Http2SmallFrames.joins(data, endStream)) {
                held = Http2SmallFrames.append(held, data, data.alloc());
                if (Http2SmallFrames.full(held)) {
                    passHeld();
                }
                return;
            }
        }
        passHeld();
        data.retain();
        listener.upstreamRead(endStream ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data));
    }

    /** Passes on what small frames were joined, before anything that follows them. */
    private void passHeld() {
        ByteBuf joined = held;
        held = null;
        if (joined != null && listener != null) {
            listener.upstreamRead(new DefaultHttpContent(joined));
        } else if (joined != null) {
            joined.release();
        }
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    @Override
    public void cellFailed(UpstreamResetException reset) {
        UpstreamListener current = listener;
        listener = null;
        releaseHeld();
        if (current != null) {
            current.upstreamClosed(reset);
        }
    }

    @Override
    public void cellBadResponse(String why) {
        if (listener != null) {
            releaseHeld(); // the answer is cut: nothing more of it goes to the client
            invalid(new IllegalStateException(why));
        }
    }

    @Override
    public void cellReadComplete() {
        if (listener != null) {
            listener.upstreamReadComplete();
        }
    }

    @Override
    public void cellWritabilityChanged(boolean writable) {
        if (listener != null) {
            listener.upstreamWritabilityChanged(writable);
        }
    }

    @Override
    public String toString() {
        return "h2 stream " + (stream == null ? "-" : stream.id());
    }
}
