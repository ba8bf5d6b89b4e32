package io.cellrouter.router.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shadow request on its way to the shadow's cell, over a pooled cell leg like any request:
 * the copy is written, the answer's status kept, every other byte of the answer read and let go.
 * It ends exactly once: with the answer's last part (match or mismatch), or with an error (no
 * connection, the cell closed or reset, an invalid answer, no answer within {@code
 * upstream.responseTimeout}); then the leg goes back to the pool or is closed, the budget is given
 * back and the meters record it.
 *
 * <p>Concurrency: confined to one event loop (the primary's).
 */
final class ShadowRequest implements UpstreamListener {

    private static final Logger LOG = LoggerFactory.getLogger(ShadowRequest.class);

    private final ShadowSender sender;
    private final ShadowCapture capture;
    private final int primaryStatus;
    private final EventLoop loop;
    private final Runnable budgetBack;
    private final long startNanos;
    private CellLeg leg;
    private ScheduledFuture<?> timeout;
    private int status = -1;
    private boolean informational;
    private boolean reusable;
    private boolean done;

    ShadowRequest(ShadowSender sender, ShadowCapture capture, int primaryStatus, EventLoop loop, Runnable budgetBack) {
        this.sender = sender;
        this.capture = capture;
        this.primaryStatus = primaryStatus;
        this.loop = loop;
        this.budgetBack = budgetBack;
        this.startNanos = loop.ticker().nanoTime();
    }

    void connected(Future<CellLeg> future) {
        if (!future.isSuccess()) {
            failed("no connection: " + future.cause());
            return;
        }
        leg = future.getNow();
        leg.readAnswer(true);
        HttpRequest head = capture.head();
        BodyCopy body = capture.takeBody();
        // The whole body is here: fixed-length framing whatever the client used.
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (capture.bytes() > 0 || head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            HttpUtil.setContentLength(head, capture.bytes());
        }
        leg.write(head);
        ByteBuf part;
        while ((part = body.poll()) != null) {
            leg.write(new DefaultHttpContent(part));
        }
        leg.write(LastHttpContent.EMPTY_LAST_CONTENT);
        leg.flush();
        timeout = loop.schedule(() -> failed("no answer in time"), sender.timeoutNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void upstreamRead(HttpObject msg) {
        try {
            if (done) {
                return;
            }
            if (msg.decoderResult().isFailure()) {
                failed("invalid answer: " + msg.decoderResult().cause());
                return;
            }
            if (msg instanceof HttpResponse response) {
                int code = response.status().code();
                informational = code >= 100 && code < 200;
                if (!informational) {
                    status = code;
                    reusable = HttpUtil.isKeepAlive(response) && framed(response);
                }
            }
            if (msg instanceof LastHttpContent) {
                if (informational) {
                    informational = false;
                } else if (status > 0) {
                    complete();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void upstreamReadComplete() {
        // Nothing is relayed: there is nothing to flush.
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        // The whole request was written at once; at most 64 KiB waits in the channel's buffer.
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        leg = null;
        failed(cause == null ? "the cell closed the connection" : String.valueOf(cause.getMessage()));
    }

    private void complete() {
        CellLeg finished = leg;
        leg = null;
        end(status == primaryStatus ? "match" : "mismatch");
        if (finished != null) {
            finished.finish(reusable);
        }
    }

    void failed(String why) {
        if (done) {
            return;
        }
        LOG.debug("shadow request to {} failed: {}", capture.target().name(), why);
        CellLeg doomed = leg;
        leg = null;
        end("error");
        if (doomed != null) {
            doomed.abandon();
        }
    }

    private void end(String result) {
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        capture.release();
        budgetBack.run();
        sender.metrics().shadow(capture.target().name(), result, loop.ticker().nanoTime() - startNanos);
    }

    private static boolean framed(HttpResponse response) {
        int code = response.status().code();
        return HttpUtil.isContentLengthSet(response)
                || HttpUtil.isTransferEncodingChunked(response)
                || code == 204
                || code == 304;
    }
}
