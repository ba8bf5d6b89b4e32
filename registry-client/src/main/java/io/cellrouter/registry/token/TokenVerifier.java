package io.cellrouter.registry.token;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies cell tokens against a key set (an HMAC secret and/or a watched JWKS or PEM file) and a
 * {@link VerifierConfig}. Built with {@link #builder()}.
 *
 * <p>Verified tokens are remembered in a bounded Caffeine cache, so a client that sends the same
 * token again costs a lookup, not a signature check. A remembered token is served only while it is
 * unexpired (never past its {@code exp}) and while the key set it was verified with is still in
 * force: a key removed from the file stops its tokens at once, cached or not.
 *
 * <p>Thread-safe; {@link #verify} never blocks and may run on an event loop.
 */
public interface TokenVerifier extends AutoCloseable {

    /** The token's claims; throws {@link InvalidTokenException} when it must not be accepted. */
    CellToken verify(String token);

    /** The key set in force now. */
    KeySet keys();

    /** Stops watching the key file, if any. */
    @Override
    void close();

    static Builder builder() {
        return new Builder();
    }

    /** Keys: {@link #hmacSecret}, {@link #keyFile} or both, or {@link #keys} (fixed, or your own source). */
    final class Builder {
        public static final long DEFAULT_CACHE_SIZE = 100_000;

        private byte[] hmacSecret;
        private Path keyFile;
        private KeySource keys;
        private VerifierConfig config = VerifierConfig.defaults();
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.systemTicker();
        private long cacheSize = DEFAULT_CACHE_SIZE;
        private Duration recheckInterval = WatchedKeyFile.DEFAULT_RECHECK;

        private Builder() {}

        /** A shared secret of at least 32 bytes; verifies tokens without a key id. */
        public Builder hmacSecret(byte[] secret) {
            this.hmacSecret = requireNonNull(secret, "secret").clone();
            return this;
        }

        /** A JWK Set or PEM public keys, watched: edits take effect without a restart. */
        public Builder keyFile(Path file) {
            this.keyFile = requireNonNull(file, "file");
            return this;
        }

        /** Instead of a secret and a file: keys from elsewhere. */
        public Builder keys(KeySource source) {
            this.keys = requireNonNull(source, "source");
            return this;
        }

        public Builder config(VerifierConfig config) {
            this.config = requireNonNull(config, "config");
            return this;
        }

        /** Wall-clock time, for {@code exp}, {@code nbf} and {@code iat}. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Elapsed time for the cache's expiry; keep it in step with {@link #clock} in tests. */
        public Builder ticker(Ticker ticker) {
            this.ticker = requireNonNull(ticker, "ticker");
            return this;
        }

        /** How many verified tokens are remembered; 0 turns the cache off. */
        public Builder cacheSize(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, was " + size);
            }
            this.cacheSize = size;
            return this;
        }

        /** How often the key file is re-read even without a file-system event. */
        public Builder recheckInterval(Duration interval) {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("recheckInterval must be positive, was " + interval);
            }
            this.recheckInterval = interval;
            return this;
        }

        /** Reads the key file now: throws {@link KeyFileException} when it holds no usable key. */
        public TokenVerifier build() {
            if (keys != null && (hmacSecret != null || keyFile != null)) {
                throw new IllegalStateException("give keys() or hmacSecret()/keyFile(), not both");
            }
            List<VerificationKey> fixed = new ArrayList<>();
            if (hmacSecret != null) {
                fixed.add(VerificationKey.hmac(hmacSecret, config.algorithms()));
            }
            KeySource source = keys;
            AutoCloseable owned = null;
            if (keyFile != null) {
                WatchedKeyFile watched = WatchedKeyFile.open(keyFile, fixed, config.algorithms(), recheckInterval);
                source = watched;
                owned = watched;
            } else if (source == null) {
                if (fixed.isEmpty()) {
                    throw new IllegalStateException("no keys: give an HMAC secret, a key file or a key source");
                }
                source = KeySource.of(new KeySet(fixed, 1));
            }
            return new DefaultTokenVerifier(new JwtVerifier(config, clock), source, owned, clock, ticker, cacheSize);
        }
    }
}
