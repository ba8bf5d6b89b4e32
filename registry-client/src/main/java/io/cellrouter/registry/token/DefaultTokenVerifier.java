package io.cellrouter.registry.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TokenVerifier}: a {@link JwtVerifier} behind a cache of verified tokens.
 *
 * <p>A cache entry holds the claims, the {@link KeySet} they were verified with and the expiry in
 * epoch milliseconds. A hit is served only when that key set is still the current one (a reference
 * compare) and the wall clock is before {@code exp}: no allocation, no signature. Caffeine also
 * expires the entry at {@code exp} (by its ticker) so that dead tokens do not take up room. Only
 * verified tokens enter the cache, so a client cannot fill it with tokens of its own making.
 *
 * <p>Cache maintenance runs on the calling thread (amortised, small): the cache starts no threads.
 */
final class DefaultTokenVerifier implements TokenVerifier {

    private static final Logger log = LoggerFactory.getLogger(DefaultTokenVerifier.class);

    private final JwtVerifier verifier;
    private final KeySource keys;
    private final AutoCloseable owned;
    private final Clock clock;
    private final Cache<String, Verified> cache;

    private record Verified(CellToken token, KeySet keys, long expiresAtMillis) {}

    DefaultTokenVerifier(
            JwtVerifier verifier, KeySource keys, AutoCloseable owned, Clock clock, Ticker ticker, long cacheSize) {
        this.verifier = verifier;
        this.keys = keys;
        this.owned = owned;
        this.clock = clock;
        this.cache = cacheSize == 0
                ? null
                : Caffeine.newBuilder()
                        .maximumSize(cacheSize)
                        .ticker(ticker)
                        .executor(Runnable::run)
                        .expireAfter(Expiry.creating((String token, Verified v) ->
                                Duration.ofMillis(Math.max(0, v.expiresAtMillis() - clock.millis()))))
                        .build();
    }

    @Override
    public CellToken verify(String token) {
        KeySet current = keys.current();
        if (cache != null) {
            Verified hit = cache.getIfPresent(token);
            if (hit != null && hit.keys() == current && clock.millis() < hit.expiresAtMillis()) {
                return hit.token();
            }
        }
        CellToken verified = verifier.verify(token, current);
        if (cache != null) {
            cache.put(
                    token, new Verified(verified, current, verified.expiresAt().toEpochMilli()));
        }
        return verified;
    }

    @Override
    public KeySet keys() {
        return keys.current();
    }

    /** Verified tokens remembered now (for tests and metrics). */
    long cachedTokens() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                log.debug("closing the key source failed", e);
            }
        }
    }
}
