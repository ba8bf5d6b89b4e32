package io.cellrouter.registry.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache of verified tokens, and key rotation through the watched key file. */
class CachedVerificationTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final TestTime time = new TestTime(NOW);
    private TokenVerifier verifier;

    @AfterEach
    void close() {
        if (verifier != null) {
            verifier.close();
        }
    }

    private TokenVerifier cached(Path jwks) {
        verifier = TokenVerifier.builder()
                .keyFile(jwks)
                .clock(time)
                .ticker(time)
                .cacheSize(1000)
                .build();
        return verifier;
    }

    private static String token(ECKey key, String kid, Instant exp) throws Exception {
        return TestKeys.sign(
                new ECDSASigner(key),
                JWSAlgorithm.ES256,
                kid,
                TestKeys.claims("acme", NOW).expirationTime(Date.from(exp)).build());
    }

    @Test
    void verify_sameTokenTwice_secondIsServedFromTheCache() throws Exception {
        cached(TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC));
        String token = token(TestKeys.EC, "ec-1", NOW.plusSeconds(600));

        CellToken first = verifier.verify(token);

        assertThat(verifier.verify(token)).isSameAs(first);
        assertThat(((DefaultTokenVerifier) verifier).cachedTokens()).isEqualTo(1);
    }

    @Test
    void verify_withoutCache_verifiesEveryTime() throws Exception {
        verifier = TokenVerifier.builder()
                .keyFile(TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC))
                .clock(time)
                .cacheSize(0)
                .build();
        String token = token(TestKeys.EC, "ec-1", NOW.plusSeconds(600));

        assertThat(verifier.verify(token)).isNotSameAs(verifier.verify(token));
    }

    @Test
    void verify_cachedToken_isNeverServedPastItsExp() throws Exception {
        cached(TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC));
        String token = token(TestKeys.EC, "ec-1", NOW.plusSeconds(600));
        CellToken cachedClaims = verifier.verify(token);

        time.advance(Duration.ofSeconds(600));
        // Past exp, within the skew: verified again (a new object), still accepted.
        assertThat(verifier.verify(token)).isNotSameAs(cachedClaims);

        time.advance(Duration.ofSeconds(60));
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void verify_expiredEntries_leaveTheCache() throws Exception {
        cached(TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC));
        verifier.verify(token(TestKeys.EC, "ec-1", NOW.plusSeconds(600)));

        time.advance(Duration.ofSeconds(601));

        assertThat(((DefaultTokenVerifier) verifier).cachedTokens()).isZero();
    }

    @Test
    void keyRotation_newKeyAddedToTheFile_isAcceptedWithoutRestart() throws Exception {
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC);
        WatchedKeyFileProbe probe = new WatchedKeyFileProbe(cached(jwks));
        ECKey next = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        String token = token(next, "ec-2", NOW.plusSeconds(600));
        assertThatThrownBy(() -> verifier.verify(token)).hasMessageContaining("unknown key id");
        long before = probe.generation();

        TestKeys.writeJwks(jwks, TestKeys.EC, next);
        await().atMost(WAIT).until(() -> probe.generation() > before);

        assertThat(verifier.verify(token).customer()).isEqualTo("acme");
    }

    @Test
    void keyRotation_keyRemovedFromTheFile_stopsItsTokensEvenWhenCached() throws Exception {
        ECKey next = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC, next);
        WatchedKeyFileProbe probe = new WatchedKeyFileProbe(cached(jwks));
        String old = token(TestKeys.EC, "ec-1", NOW.plusSeconds(600));
        verifier.verify(old);
        long before = probe.generation();

        TestKeys.writeJwks(jwks, next);
        await().atMost(WAIT).until(() -> probe.generation() > before);

        assertThatThrownBy(() -> verifier.verify(old)).hasMessageContaining("unknown key id");
        assertThat(verifier.verify(token(next, "ec-2", NOW.plusSeconds(600)))).isNotNull();
    }

    @Test
    void keyFile_brokenEdit_keepsTheLastGoodKeys() throws Exception {
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC);
        try (WatchedKeyFile watched = WatchedKeyFile.open(
                jwks, java.util.List.of(), java.util.EnumSet.allOf(TokenAlgorithm.class), Duration.ofHours(1))) {
            Files.writeString(jwks, "{\"keys\": [ not json");

            assertThat(watched.reload()).isFalse();
            assertThat(watched.generation()).isEqualTo(1);
            assertThat(watched.current().byId("ec-1")).isNotNull();
        }
    }

    @Test
    void keyFile_rewrittenWithTheSameContent_keepsItsGeneration() throws Exception {
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC);
        try (WatchedKeyFile watched = WatchedKeyFile.open(
                jwks, java.util.List.of(), java.util.EnumSet.allOf(TokenAlgorithm.class), Duration.ofHours(1))) {
            TestKeys.writeJwks(jwks, TestKeys.EC);

            assertThat(watched.reload()).isFalse();
            assertThat(watched.generation()).isEqualTo(1);
        }
    }

    /** The generation of the verifier's key set: what a test awaits instead of sleeping. */
    private record WatchedKeyFileProbe(TokenVerifier verifier) {
        long generation() {
            return verifier.keys().generation();
        }
    }
}
