package io.cellrouter.router.admin;

import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.VersionConflictException;
import io.cellrouter.router.error.ErrorCode;
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
            return Answer.error(ErrorCode.VERSION_CONFLICT, cause.getMessage());
        }
        if (cause instanceof NotFoundException) {
            return Answer.error(ErrorCode.NOT_FOUND, cause.getMessage());
        }
        if (cause instanceof InvalidRegistryException || cause instanceof IllegalArgumentException) {
            return Answer.error(ErrorCode.BAD_REQUEST, cause.getMessage());
        }
        return Answer.error(ErrorCode.REGISTRY_UNAVAILABLE, String.valueOf(cause.getMessage()));
    }
}
