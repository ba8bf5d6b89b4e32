package io.cellrouter.router.admin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cellrouter.router.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on POST and PUT: the first request with a key does the work; a retry
 * with the same key (same caller, method and path) gets the first answer, also while the first is
 * still running, and writes nothing. The same key with another body is 422: it is a client bug.
 *
 * <p>Limits, by design: keys live in a bounded Caffeine cache of this router instance ({@link
 * #MAXIMUM_KEYS}, {@link #RETENTION}). A retry that reaches another instance of the fleet, or this
 * one after a restart or after eviction, runs again; it is then the registry's own conditions that
 * keep it safe (a move carries {@code expectedVersion}, a placement must not exist yet). Answers of
 * 5xx are not kept, so that a retry after a registry outage can succeed.
 */
final class Idempotency {

    static final int MAXIMUM_KEYS = 10_000;
    static final Duration RETENTION = Duration.ofHours(24);

    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    /** What a request produced: the answer, and whether it is a replay of an earlier one. */
    record Result(CompletableFuture<Answer> answer, boolean replayed) {}

    @SuppressWarnings("ArrayRecordComponent") // a cache value; hashes compared with Arrays.equals
    private record Entry(byte[] bodyHash, CompletableFuture<Answer> answer) {}

    private final Cache<String, Entry> keys = Caffeine.newBuilder()
            .maximumSize(MAXIMUM_KEYS)
            .expireAfterWrite(RETENTION)
            .build();

    static boolean valid(String key) {
        return KEY.matcher(key).matches();
    }

    /** Runs {@code work} once per key; {@code key} null: runs it every time. */
    Result run(
            String actor,
            String method,
            String path,
            String key,
            String body,
            Supplier<CompletableFuture<Answer>> work) {
        if (key == null) {
            return new Result(work.get(), false);
        }
        String cacheKey = actor + ' ' + method + ' ' + path + ' ' + key;
        Entry mine = new Entry(sha256(body), new CompletableFuture<>());
        Entry first = keys.asMap().putIfAbsent(cacheKey, mine);
        if (first != null) {
            if (!Arrays.equals(first.bodyHash(), mine.bodyHash())) {
                return new Result(
                        CompletableFuture.completedFuture(Answer.error(
                                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                                "this Idempotency-Key was used with another request body")),
                        false);
            }
            return new Result(first.answer(), true);
        }
        work.get().whenComplete((answer, error) -> {
            if (error != null || answer.status().code() >= 500) {
                keys.asMap().remove(cacheKey, mine);
            }
            if (error != null) {
                mine.answer().completeExceptionally(error);
            } else {
                mine.answer().complete(answer);
            }
        });
        return new Result(mine.answer(), false);
    }

    private static byte[] sha256(String body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
