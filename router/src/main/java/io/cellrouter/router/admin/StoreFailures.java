package io.cellrouter.router.admin;

import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.VersionConflictException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletionException;

/** The one place where a failed registry call becomes an admin answer. */
final class StoreFailures {

    private StoreFailures() {}

    static Answer answer(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof Answer.Refusal refusal) {
            return refusal.answer();
        }
        if (cause instanceof VersionConflictException) {
            return Answer.error(HttpResponseStatus.CONFLICT, "version_conflict", cause.getMessage());
        }
        if (cause instanceof NotFoundException) {
            return Answer.error(HttpResponseStatus.NOT_FOUND, "not_found", cause.getMessage());
        }
        if (cause instanceof InvalidRegistryException || cause instanceof IllegalArgumentException) {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "bad_request", cause.getMessage());
        }
        return Answer.error(
                HttpResponseStatus.SERVICE_UNAVAILABLE, "registry_unavailable", String.valueOf(cause.getMessage()));
    }
}
