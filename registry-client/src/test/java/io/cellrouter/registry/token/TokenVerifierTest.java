package io.cellrouter.registry.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of issue 5 and RFC 8725, each on its own: what must be refused, and what must pass. */
class TokenVerifierTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path dir;

    private final TestTime time = new TestTime(NOW);
    private TokenVerifier verifier;

    @BeforeEach
    void keys() throws Exception {
        verifier = verifier(VerifierConfig.defaults());
    }

    @AfterEach
    void close() {
        verifier.close();
    }

    private TokenVerifier verifier(VerifierConfig config) throws Exception {
        Path jwks = TestKeys.writeJwks(dir.resolve("keys.json"), TestKeys.RSA, TestKeys.EC, TestKeys.ED);
        return TokenVerifier.builder()
                .hmacSecret(TestKeys.SECRET)
                .keyFile(jwks)
                .config(config)
                .clock(time)
                .ticker(time)
                .cacheSize(0)
                .build();
    }

    private static JWTClaimsSet valid() {
        return TestKeys.claims("acme", NOW).build();
    }

    private static String es256(JWTClaimsSet claims) throws Exception {
        return TestKeys.sign(new ECDSASigner(TestKeys.EC), JWSAlgorithm.ES256, "ec-1", claims);
    }

    private void assertRejected(String token, String reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void verify_validTokensOfEveryKeyType_areAccepted() throws Exception {
        String hs = TestKeys.sign(new MACSigner(TestKeys.SECRET), JWSAlgorithm.HS256, null, valid());
        String rs = TestKeys.sign(new RSASSASigner(TestKeys.RSA), JWSAlgorithm.RS256, "rsa-1", valid());
        String ps = TestKeys.sign(new RSASSASigner(TestKeys.RSA), JWSAlgorithm.PS256, "rsa-1", valid());
        String es = es256(valid());
        String ed = TestKeys.sign(new Ed25519Signer(TestKeys.ED), JWSAlgorithm.EdDSA, "ed-1", valid());

        for (String token : new String[] {hs, rs, ps, es, ed}) {
            CellToken claims = verifier.verify(token);
            assertThat(claims.customer()).isEqualTo("acme");
            assertThat(claims.cell()).isEqualTo("cell-2");
            assertThat(claims.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        }
    }

    @Test
    void verify_algNone_isRejected() {
        String unsigned = new PlainJWT(valid()).serialize();

        assertRejected(unsigned, "unsigned token");
    }

    @Test
    void verify_hs256SignedWithTheRsaPublicKeyAsSecret_isRejected() throws Exception {
        // The classic algorithm confusion: the attacker knows the public key and uses it as an
        // HMAC secret, hoping the verifier takes the algorithm from the token.
        byte[] publicKeyAsSecret = TestKeys.pem(
                        "PUBLIC KEY", TestKeys.RSA.toRSAPublicKey().getEncoded())
                .getBytes(StandardCharsets.US_ASCII);
        MACSigner signer = new MACSigner(publicKeyAsSecret);

        assertRejected(
                TestKeys.sign(signer, JWSAlgorithm.HS256, "rsa-1", valid()), "HS256 is not allowed for this key");
        assertRejected(TestKeys.sign(signer, JWSAlgorithm.HS256, null, valid()), "bad signature");
    }

    @Test
    void verify_hs256AgainstOnlyRsaKeys_findsNoKeyThatAcceptsHmac() throws Exception {
        TokenVerifier rsaOnly = TokenVerifier.builder()
                .keyFile(TestKeys.writeJwks(dir.resolve("rsa.json"), TestKeys.RSA))
                .clock(time)
                .cacheSize(0)
                .build();
        byte[] der = TestKeys.RSA.toRSAPublicKey().getEncoded();
        try (rsaOnly) {
            assertThatThrownBy(
                            () -> rsaOnly.verify(TestKeys.sign(new MACSigner(der), JWSAlgorithm.HS256, null, valid())))
                    .isInstanceOf(InvalidTokenException.class)
                    .hasMessageContaining("no key accepts algorithm HS256");
        }
    }

    @Test
    void verify_signedWithAnotherKeyUnderTheSameKid_isRejected() throws Exception {
        String forged = TestKeys.sign(new ECDSASigner(TestKeys.OTHER_EC), JWSAlgorithm.ES256, "ec-1", valid());

        assertRejected(forged, "bad signature");
    }

    @Test
    void verify_hs256WithAnotherSecret_isRejected() throws Exception {
        byte[] other = "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);

        assertRejected(TestKeys.sign(new MACSigner(other), JWSAlgorithm.HS256, null, valid()), "bad signature");
    }

    @Test
    void verify_unknownKid_isRejected() throws Exception {
        String token = TestKeys.sign(new ECDSASigner(TestKeys.EC), JWSAlgorithm.ES256, "ec-2", valid());

        assertRejected(token, "unknown key id");
    }

    @Test
    void verify_expiredBeyondTheSkew_isRejected() throws Exception {
        String token = es256(TestKeys.claims("acme", NOW.minusSeconds(7200))
                .expirationTime(Date.from(NOW.minusSeconds(61)))
                .build());

        assertRejected(token, "token expired");
    }

    @Test
    void verify_expiredWithinTheSkew_isAccepted() throws Exception {
        String token = es256(TestKeys.claims("acme", NOW.minusSeconds(7200))
                .expirationTime(Date.from(NOW.minusSeconds(59)))
                .build());

        assertThat(verifier.verify(token).customer()).isEqualTo("acme");
    }

    @Test
    void verify_nbfInTheFutureBeyondTheSkew_isRejected() throws Exception {
        String token = es256(TestKeys.claims("acme", NOW)
                .notBeforeTime(Date.from(NOW.plusSeconds(120)))
                .build());

        assertRejected(token, "not valid yet");
    }

    @Test
    void verify_noExp_isRejected() throws Exception {
        String token = es256(TestKeys.claims("acme", NOW).expirationTime(null).build());

        assertRejected(token, "no expiry");
    }

    @Test
    void verify_issuedInTheFuture_isRejected() throws Exception {
        String token = es256(TestKeys.claims("acme", NOW.plusSeconds(600)).build());

        assertRejected(token, "issued in the future");
    }

    @Test
    void verify_lifetimeBeyondTheMaximum_isRejected() throws Exception {
        String token = es256(TestKeys.claims("acme", NOW)
                .expirationTime(Date.from(NOW.plus(Duration.ofDays(91))))
                .build());

        assertRejected(token, "lifetime exceeds");
    }

    @Test
    void verify_wrongIssuerWhenConfigured_isRejected() throws Exception {
        verifier.close();
        verifier = verifier(VerifierConfig.defaults().withIssuer("https://control-plane.example"));

        assertRejected(
                es256(TestKeys.claims("acme", NOW)
                        .issuer("https://evil.example")
                        .build()),
                "wrong issuer");
        assertRejected(es256(valid()), "wrong issuer");
        assertThat(verifier.verify(es256(TestKeys.claims("acme", NOW)
                        .issuer("https://control-plane.example")
                        .build())))
                .isNotNull();
    }

    @Test
    void verify_wrongAudienceWhenConfigured_isRejected() throws Exception {
        verifier.close();
        verifier = verifier(VerifierConfig.defaults().withAudience("cell-router"));

        assertRejected(es256(TestKeys.claims("acme", NOW).audience("billing").build()), "wrong audience");
        assertRejected(es256(valid()), "wrong audience");
        assertThat(verifier.verify(es256(
                        TestKeys.claims("acme", NOW).audience("cell-router").build())))
                .isNotNull();
    }

    @Test
    void verify_tamperedPayload_isRejected() throws Exception {
        String[] parts = es256(valid()).split("\\.");
        String otherPayload = Base64URL.encode(
                        TestKeys.claims("globex", NOW).build().toString())
                .toString();

        assertRejected(parts[0] + "." + otherPayload + "." + parts[2], "bad signature");
    }

    @Test
    void verify_algorithmNotInTheConfiguredList_isRejectedEvenWithAValidSignature() throws Exception {
        verifier.close();
        verifier = verifier(VerifierConfig.defaults()
                .withAlgorithms(java.util.EnumSet.of(TokenAlgorithm.ES256, TokenAlgorithm.HS256)));

        assertRejected(
                TestKeys.sign(new RSASSASigner(TestKeys.RSA), JWSAlgorithm.RS256, "rsa-1", valid()),
                "algorithm is not accepted");
        assertThat(verifier.verify(es256(valid())).customer()).isEqualTo("acme");
    }

    @Test
    void verify_keyEmbeddedInTheHeader_isIgnored() throws Exception {
        // jwk header: the attacker's own public key, with a kid nobody knows.
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(JOSEObjectType.JWT)
                        .jwk(TestKeys.OTHER_EC.toPublicJWK())
                        .build(),
                valid());
        jwt.sign(new ECDSASigner(TestKeys.OTHER_EC));

        assertRejected(jwt.serialize(), "bad signature");
    }

    @Test
    void verify_jkuAndX5uHeaders_areNeverFetched() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI url = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/keys.json");
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID("attacker")
                            .jwkURL(url)
                            .x509CertURL(url)
                            .build(),
                    valid());
            jwt.sign(new ECDSASigner(TestKeys.OTHER_EC));

            assertRejected(jwt.serialize(), "unknown key id");
            // verify() is synchronous: a fetch would have connected before it returned.
            listener.setSoTimeout(1);
            assertThatThrownBy(listener::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void verify_noCustomerClaim_isRejected() throws Exception {
        assertRejected(es256(TestKeys.claims("acme", NOW).subject(null).build()), "no customer");
    }

    @Test
    void verify_cellClaimThatIsNotACellName_isRejected() throws Exception {
        assertRejected(
                es256(TestKeys.claims("acme", NOW).claim("cell", "../etc").build()), "not a cell name");
    }

    @Test
    void verify_garbage_isRejectedAsMalformed() {
        assertRejected("not.a.token", "malformed");
        assertRejected("", "empty token");
        assertRejected("a".repeat(JwtVerifier.MAX_TOKEN_CHARS + 1), "too long");
    }
}
