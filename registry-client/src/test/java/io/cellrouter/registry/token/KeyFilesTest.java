package io.cellrouter.registry.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys in PEM, JWK and JWK Set files: what signs, what verifies, what is refused and why. */
class KeyFilesTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path dir;

    private final TestTime time = new TestTime(NOW);

    private static KeyPair generate(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "EC", "Ed25519"})
    void pemPrivateKey_signsTokensThatItsPemPublicKeyVerifies(String algorithm) throws Exception {
        KeyPair pair = generate(algorithm);
        Path privatePem = Files.writeString(
                dir.resolve("key.pem"),
                TestKeys.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Path publicPem = Files.writeString(
                dir.resolve("pub.pem"),
                TestKeys.pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        SigningKey key = KeyFiles.signingKey(privatePem, null, null);
        String token = TokenMinter.builder(key).clock(time).build().mint("acme", "cell-1", null, Duration.ofHours(1));

        try (TokenVerifier verifier = TokenVerifier.builder()
                .keyFile(publicPem)
                .clock(time)
                .cacheSize(0)
                .build()) {
            assertThat(verifier.verify(token).customer()).isEqualTo("acme");
        }
        assertThat(key.keyId()).isNull();
    }

    @Test
    void privateJwk_signsTokensThatItsPublicJwkSetVerifies() throws Exception {
        Path privateJwk = Files.writeString(dir.resolve("key.jwk"), TestKeys.ED.toJSONString());
        SigningKey key = KeyFiles.signingKey(privateJwk, null, null);
        Path jwks = Files.writeString(dir.resolve("keys.json"), new JWKSet(key.publicKey()).toString());
        String token = TokenMinter.builder(key).clock(time).build().mint("acme", "cell-1", null, Duration.ofHours(1));

        try (TokenVerifier verifier =
                TokenVerifier.builder().keyFile(jwks).clock(time).cacheSize(0).build()) {
            CellToken claims = verifier.verify(token);
            assertThat(claims.keyId()).isEqualTo("ed-1");
            assertThat(key.algorithm()).isEqualTo(TokenAlgorithm.EdDSA);
        }
    }

    @Test
    void sec1EcPrivateKey_isRefusedWithTheConversionCommand() throws Exception {
        Path pem = Files.writeString(dir.resolve("key.pem"), TestKeys.pem("EC PRIVATE KEY", new byte[] {1, 2, 3}));

        assertThatThrownBy(() -> KeyFiles.signingKey(pem, null, null))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void publicKeyFile_cannotSign() throws Exception {
        Path jwk = Files.writeString(
                dir.resolve("pub.jwk"), TestKeys.EC.toPublicJWK().toJSONString());

        assertThatThrownBy(() -> KeyFiles.signingKey(jwk, null, null))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("no private key");
    }

    @Test
    void hmacSecretShorterThan32Bytes_isRefused() {
        assertThatThrownBy(() -> SigningKey.hmac("too-short".getBytes(StandardCharsets.UTF_8), null, null))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> VerificationKey.hmac(
                        "too-short".getBytes(StandardCharsets.UTF_8), EnumSet.allOf(TokenAlgorithm.class)))
                .isInstanceOf(KeyFileException.class);
    }

    @Test
    void jwkWithAnAlg_acceptsOnlyThatAlgorithm() throws Exception {
        RSAKey pinned =
                new RSAKey.Builder(TestKeys.RSA).algorithm(JWSAlgorithm.RS256).build();
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), pinned);
        String ps256 = TestKeys.sign(
                new RSASSASigner(TestKeys.RSA),
                JWSAlgorithm.PS256,
                "rsa-1",
                TestKeys.claims("acme", NOW).build());

        try (TokenVerifier verifier =
                TokenVerifier.builder().keyFile(jwks).clock(time).cacheSize(0).build()) {
            assertThatThrownBy(() -> verifier.verify(ps256)).hasMessageContaining("PS256 is not allowed for this key");
        }
    }

    @Test
    void signingWithAnAlgorithmTheKeyCannotUse_isRefused() {
        assertThatThrownBy(() -> SigningKey.of(TestKeys.EC, TokenAlgorithm.RS256, null))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("cannot sign RS256");
    }

    @Test
    void jwkSetWithTheSameKidTwice_isRefused() throws Exception {
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC, TestKeys.OTHER_EC);

        assertThatThrownBy(() -> KeyFiles.verificationKeys(jwks, EnumSet.allOf(TokenAlgorithm.class)))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("two keys have the key id 'ec-1'");
    }

    @Test
    void jwkSetWithSeveralPrivateKeys_needsAKidToSign() throws Exception {
        Path jwks = Files.writeString(
                dir.resolve("private.json"), new JWKSet(List.of(TestKeys.EC, TestKeys.ED)).toString(false));

        assertThatThrownBy(() -> KeyFiles.signingKey(jwks, null, null))
                .hasMessageContaining("choose one by its key id");
        assertThat(KeyFiles.signingKey(jwks, null, "ed-1").algorithm()).isEqualTo(TokenAlgorithm.EdDSA);
    }

    @Test
    void keysThatCannotVerifyAnyAcceptedAlgorithm_areLeftOut() throws Exception {
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.EC, TestKeys.ED);

        List<VerificationKey> keys = KeyFiles.verificationKeys(jwks, EnumSet.of(TokenAlgorithm.EdDSA));

        assertThat(keys).extracting(VerificationKey::keyId).containsExactly("ed-1");
    }
}
