package io.cellrouter.router.admin;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The path every admin write takes: {@link Idempotency} first (a retry gets the first answer and
 * writes nothing), then the endpoint, then one {@link AuditLog} entry, whether the write was
 * applied or refused. Dry runs and replays write nothing and are not audited.
 */
final class AdminWrites {

    private final Idempotency idempotency = new Idempotency();
    private final AuditLog audit;

    AdminWrites(AuditLog audit) {
        this.audit = audit;
    }

    Idempotency.Result run(
            String actor,
            String method,
            String path,
            String idempotencyKey,
            String body,
            boolean dryRun,
            Supplier<CompletableFuture<Answer>> endpoint) {
        if (dryRun) {
            // Writes nothing, so there is nothing to replay; and a key it kept would replay its
            // answer to the real request that follows with the same key (or the reverse).
            return new Idempotency.Result(endpoint.get(), false);
        }
        Idempotency.Result result = idempotency.run(actor, method, path, idempotencyKey, body, endpoint);
        if (result.replayed()) {
            return result;
        }
        // Audited before the answer is sent: whoever sees the answer can find the audit line.
        return new Idempotency.Result(
                result.answer().thenApply(answer -> {
                    audit.record(actor, method, path, idempotencyKey, answer);
                    return answer;
                }),
                false);
    }

    /** Audits an answer given without running an endpoint (a write refused before it, e.g. a viewer's). */
    void audit(String actor, String method, String path, String idempotencyKey, Answer answer) {
        audit.record(actor, method, path, idempotencyKey, answer);
    }
}
