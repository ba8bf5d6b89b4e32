package io.cellrouter.loadtest.jmh;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.cellrouter.registry.token.CellToken;
import io.cellrouter.registry.token.KeySet;
import io.cellrouter.registry.token.KeySource;
import io.cellrouter.registry.token.SigningKey;
import io.cellrouter.registry.token.TokenAlgorithm;
import io.cellrouter.registry.token.TokenMinter;
import io.cellrouter.registry.token.TokenVerifier;
import io.cellrouter.registry.token.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the {@code jwt} identity source costs per request: {@code TokenVerifier.verify(token)} for
 * each algorithm, with the cache of verified tokens off (every request checks a signature) and on
 * (the steady state: one Caffeine lookup). 1024 distinct tokens are cycled, as many clients would
 * send them. Run with {@code -prof gc} to see that a cached verification allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenVerificationBenchmark {

    private static final int N = 1024;
    private static final byte[] SECRET = "a-benchmark-secret-of-more-than-32-bytes".getBytes(StandardCharsets.UTF_8);

    @Param({"HS256", "ES256", "RS256", "EdDSA"})
    public String algorithm;

    @Param({"false", "true"})
    public boolean cached;

    private TokenVerifier verifier;
    private String[] tokens;
    private int next;

    @Setup
    public void setUp() throws Exception {
        TokenAlgorithm alg = TokenAlgorithm.parse(algorithm);
        SigningKey signing;
        VerificationKey verification;
        if (alg == TokenAlgorithm.HS256) {
            signing = SigningKey.hmac(SECRET, alg, null);
            verification = VerificationKey.hmac(SECRET, EnumSet.of(alg));
        } else {
            JWK key =
                    switch (alg) {
                        case ES256 -> new ECKeyGenerator(Curve.P_256).keyID("k").generate();
                        case RS256 -> new RSAKeyGenerator(2048).keyID("k").generate();
                        default ->
                            new OctetKeyPairGenerator(Curve.Ed25519).keyID("k").generate();
                    };
            signing = SigningKey.of(key, alg, null);
            verification = VerificationKey.of(key.toPublicJWK(), EnumSet.of(alg));
        }
        TokenMinter minter = TokenMinter.builder(signing).build();
        tokens = new String[N];
        for (int i = 0; i < N; i++) {
            tokens[i] = minter.mint("customer-" + i, "cell-" + (i % 8), null, Duration.ofHours(1));
        }
        verifier = TokenVerifier.builder()
                .keys(KeySource.of(new KeySet(List.of(verification), 1)))
                .cacheSize(cached ? 100_000 : 0)
                .build();
        for (String token : tokens) {
            verifier.verify(token); // warm the cache (and check every token verifies)
        }
    }

    @TearDown
    public void tearDown() {
        verifier.close();
    }

    @Benchmark
    public CellToken verify() {
        String token = tokens[next];
        next = (next + 1) & (N - 1);
        return verifier.verify(token);
    }
}
