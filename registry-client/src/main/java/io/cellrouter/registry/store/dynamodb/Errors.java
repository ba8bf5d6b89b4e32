package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.RegistryException;
import io.cellrouter.registry.store.StoreUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Turns the SDK's failures into the store's ({@link io.cellrouter.registry.store.RegistryStore}):
 * anything that says "could not reach or use the table" becomes a {@link StoreUnavailableException}
 * naming the table and the operation. Conditional-check failures are left to the callers, which know
 * what the condition meant.
 */
final class Errors {

    private Errors() {}

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static boolean isConditionFailure(Throwable error) {
        return unwrap(error) instanceof ConditionalCheckFailedException;
    }

    static RuntimeException translate(Throwable error, String table, String operation) {
        Throwable cause = unwrap(error);
        if (cause instanceof RegistryException registry) {
            return registry;
        }
        if (cause instanceof ConditionalCheckFailedException conditionFailed) {
            return conditionFailed; // an answer, not a failure: the caller knows what its condition meant
        }
        if (cause instanceof ResourceNotFoundException) {
            return new StoreUnavailableException(
                    "DynamoDB table '" + table + "' does not exist (create it with `registry create-table`); "
                            + operation + " failed",
                    cause);
        }
        if (cause instanceof SdkException) {
            return new StoreUnavailableException(
                    "DynamoDB table '" + table + "': " + operation + " failed: " + cause.getMessage(), cause);
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new StoreUnavailableException(
                "DynamoDB table '" + table + "': " + operation + " failed: " + cause, cause);
    }

    /**
     * Runs one SDK call: a synchronous throw becomes a failed future, and every failure is translated.
     */
    static <T> CompletableFuture<T> call(String table, String operation, Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> future;
        try {
            future = call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e, table, operation));
        }
        return future.handle((value, error) -> {
            if (error != null) {
                throw translate(error, table, operation);
            }
            return value;
        });
    }
}
