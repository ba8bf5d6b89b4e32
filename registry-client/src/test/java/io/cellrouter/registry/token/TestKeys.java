package io.cellrouter.registry.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Keys made once per JVM (RSA generation is slow) and helpers to sign arbitrary, hostile tokens. */
final class TestKeys {

    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.UTF_8);
    static final RSAKey RSA =
            generate(() -> new RSAKeyGenerator(2048).keyID("rsa-1").generate());
    static final ECKey EC =
            generate(() -> new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate());
    static final ECKey OTHER_EC =
            generate(() -> new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate());
    static final OctetKeyPair ED = generate(
            () -> new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate());

    private TestKeys() {}

    interface KeyMaker<T> {
        T make() throws JOSEException;
    }

    private static <T> T generate(KeyMaker<T> maker) {
        try {
            return maker.make();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JWK Set file with the public halves of {@code keys}, replaced atomically. */
    static Path writeJwks(Path file, JWK... keys) throws IOException {
        List<JWK> publicKeys =
                java.util.Arrays.stream(keys).map(JWK::toPublicJWK).toList();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, new JWKSet(publicKeys).toString(true));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** Claims of a valid token for {@code customer} around {@code now}: iat now, exp in an hour. */
    static JWTClaimsSet.Builder claims(String customer, Instant now) {
        return new JWTClaimsSet.Builder()
                .subject(customer)
                .claim("cell", "cell-2")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600)));
    }

    static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
