package io.cellrouter.router.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellrouter.registry.store.RegistryStore;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every admin write, applied or refused, as one JSON line on the {@code cellrouter.audit} logger,
 * and also in the registry store where it keeps them ({@link RegistryStore#appendAudit}: items in
 * the DynamoDB table). The line:
 *
 * <pre>
 * {"time":"...","who":"token:sha256:3f9a...","action":"move","target":"customer/acme",
 *  "result":"applied","status":200,"before":{...},"after":{...},"version":2,"idempotencyKey":"k-1"}
 * </pre>
 *
 * <p>{@code result} is {@code applied} or {@code refused} (then {@code error} holds the code);
 * dry runs and idempotent replays write nothing, so no line. The store write is not waited for:
 * an admin answer never depends on it; a failure is logged.
 */
final class AuditLog {

    private static final Logger AUDIT = LoggerFactory.getLogger("cellrouter.audit");
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final RegistryStore store;
    private final Clock clock;
    /** Told each line's action (one of a few: not a path) and result. */
    private final java.util.function.BiConsumer<String, String> written;

    AuditLog(RegistryStore store, Clock clock, java.util.function.BiConsumer<String, String> written) {
        this.store = store;
        this.clock = clock;
        this.written = written;
    }

    void record(String who, String method, String path, String idempotencyKey, Answer answer) {
        Instant now = clock.instant();
        ObjectNode line =
                JsonBody.JSON.createObjectNode().put("time", now.toString()).put("who", who);
        Answer.Change change = answer.change();
        line.put("action", change == null ? method + " " + path : change.action());
        line.put("target", change == null ? path : change.target());
        line.put("result", answer.ok() ? "applied" : "refused");
        line.put("status", answer.status().code());
        if (!answer.ok()) {
            line.put("error", answer.body().path("error").asText());
            line.put("message", answer.body().path("message").asText());
        }
        if (change != null) {
            line.set("before", change.before());
            line.set("after", change.after());
            if (change.version() != null) {
                line.put("version", change.version());
            }
        }
        line.put("idempotencyKey", idempotencyKey);
        String text;
        try {
            text = JsonBody.JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        AUDIT.info("{}", text);
        written.accept(change == null ? "other" : change.action(), answer.ok() ? "applied" : "refused");
        store.appendAudit(now, text).exceptionally(error -> {
            LOG.warn(
                    "{} registry: the audit entry of {} was logged but not stored: {}",
                    store.kind(),
                    path,
                    error.toString());
            return null;
        });
    }
}
