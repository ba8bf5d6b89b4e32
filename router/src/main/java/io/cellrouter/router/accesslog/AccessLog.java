package io.cellrouter.router.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous JSON access log: one line per request on the {@code cellrouter.access} logger.
 *
 * <p>Event loops only {@link #log offer} an entry to a bounded queue; when it is full the entry
 * is dropped and counted, so a slow disk can never stall request processing. One daemon thread
 * formats and writes.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger ACCESS = LoggerFactory.getLogger("cellrouter.access");
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final BlockingQueue<AccessLogEntry> queue;
    private final Runnable onDrop;
    private final Thread writer;
    private volatile boolean running = true;

    public AccessLog(int queueSize, Runnable onDrop) {
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.onDrop = onDrop;
        this.writer = new Thread(this::drain, "cellrouter-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Never blocks. */
    public void log(AccessLogEntry entry) {
        if (!queue.offer(entry)) {
            onDrop.run();
        }
    }

    private void drain() {
        List<AccessLogEntry> batch = new ArrayList<>(256);
        while (running || !queue.isEmpty()) {
            try {
                AccessLogEntry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                for (AccessLogEntry entry : batch) {
                    ACCESS.info(toJson(entry));
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("access log writer failed; continuing", e);
                batch.clear();
            }
        }
    }

    static String toJson(AccessLogEntry e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(e.epochMillis()).toString());
            g.writeStringField("remote", e.remote());
            g.writeStringField("customer", e.customer());
            g.writeStringField("cell", e.cell());
            g.writeStringField("protocol", e.protocol());
            g.writeStringField("method", e.method());
            g.writeStringField("path", e.path());
            g.writeNumberField("status", e.status());
            if (e.error() != null) {
                g.writeStringField("error", e.error());
            }
            if (e.detail() != null) {
                g.writeStringField("detail", e.detail());
            }
            g.writeNumberField("bytes_in", e.bytesIn());
            g.writeNumberField("bytes_out", e.bytesOut());
            g.writeNumberField("duration_us", e.totalMicros());
            g.writeNumberField("router_us", e.routerMicros());
            if (e.cellMicros() >= 0) {
                g.writeNumberField("cell_us", e.cellMicros());
            }
            g.writeStringField("request_id", e.requestId());
            if (e.traceId() != null) {
                g.writeStringField("trace_id", e.traceId());
            }
            if (e.upstream() != null) {
                g.writeStringField("upstream", e.upstream());
            }
            if (e.userAgent() != null) {
                g.writeStringField("user_agent", e.userAgent());
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return out.toString();
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
