package io.cellrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.cellrouter.registry.token.TokenAlgorithm;
import io.cellrouter.router.config.IdentitySpec.HeaderSpec;
import io.cellrouter.router.config.IdentitySpec.JwtSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code jwt} identity source in the configuration: keys, defaults, and errors that name key and value. */
class JwtConfigTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-config";

    @TempDir
    Path dir;

    private RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "cfg.yaml", dir, Map.of("CELL_ROUTER_JWT_SECRET", SECRET)::get);
    }

    @Test
    void jwtSource_withEveryKey_parses() throws Exception {
        Files.writeString(
                dir.resolve("keys.json"),
                new JWKSet(new ECKeyGenerator(Curve.P_256)
                                .keyID("k1")
                                .generate()
                                .toPublicJWK())
                        .toString());

        RouterConfig config = parse(
                """
                identity:
                  - jwt:
                      header: X-Auth
                      customerClaim: tenant
                      cellClaim: cell
                      hmacSecret: ${CELL_ROUTER_JWT_SECRET}
                      jwksFile: keys.json
                      issuer: https://control-plane.example
                      audience: cell-router
                      clockSkew: 30s
                      maxLifetime: 7d
                      algorithms: [ES256, HS256]
                      cacheSize: 5000
                  - header: x-customer-id
                """);

        JwtSpec jwt = (JwtSpec) config.identity().get(0);
        assertThat(jwt.header()).isEqualTo("x-auth");
        assertThat(jwt.customerClaim()).isEqualTo("tenant");
        assertThat(jwt.hmacSecret()).isEqualTo(SECRET);
        assertThat(jwt.jwksFile()).isEqualTo(dir.resolve("keys.json"));
        assertThat(jwt.issuer()).isEqualTo("https://control-plane.example");
        assertThat(jwt.audience()).isEqualTo("cell-router");
        assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(jwt.maxLifetime()).isEqualTo(Duration.ofDays(7));
        assertThat(jwt.algorithms()).containsExactlyInAnyOrder(TokenAlgorithm.ES256, TokenAlgorithm.HS256);
        assertThat(jwt.cacheSize()).isEqualTo(5000);
        assertThat(config.identity().get(1)).isEqualTo(new HeaderSpec("x-customer-id"));
        assertThat(jwt.toString()).doesNotContain(SECRET);
    }

    @Test
    void jwtSource_defaults() {
        JwtSpec jwt = (JwtSpec) parse("identity:\n  - jwt: {hmacSecret: " + SECRET + "}\n")
                .identity()
                .get(0);

        assertThat(jwt.header()).isEqualTo("authorization");
        assertThat(jwt.customerClaim()).isEqualTo("sub");
        assertThat(jwt.cellClaim()).isEqualTo("cell");
        assertThat(jwt.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(jwt.maxLifetime()).isEqualTo(Duration.ofDays(90));
        assertThat(jwt.issuer()).isNull();
        assertThat(jwt.cacheSize()).isEqualTo(100_000);
    }

    @Test
    void jwtSource_withoutKeys_isAnError() {
        assertThatThrownBy(() -> parse("identity:\n  - jwt: {issuer: x}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt")
                .hasMessageContaining("hmacSecret, jwksFile or both");
    }

    @Test
    void shortSecret_isAnErrorThatNamesTheKeyButNotTheSecret() {
        assertThatThrownBy(() -> parse("identity:\n  - jwt: {hmacSecret: short-secret-value}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt.hmacSecret")
                .hasMessageContaining("at least 32 bytes")
                .hasMessageNotContaining("short-secret-value");
    }

    /** The secret itself given where the source's map belongs: named, never shown. */
    @Test
    void secretGivenAsTheWholeSource_isNotShown() {
        assertThatThrownBy(() -> parse("identity:\n  - jwt: ${CELL_ROUTER_JWT_SECRET}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> parse("identity:\n  - jwt: plain-text-secret-given-here-0123456789\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt")
                .hasMessageNotContaining("plain-text-secret");
    }

    @Test
    void unknownAlgorithm_isAnErrorNamingIt() {
        assertThatThrownBy(() -> parse("identity:\n  - jwt: {hmacSecret: " + SECRET + ", algorithms: [none]}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt.algorithms")
                .hasMessageContaining("'none'");
    }

    @Test
    void jwksFileWithoutUsableKeys_isAnErrorNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("keys.json"), "{\"keys\": []}");

        assertThatThrownBy(() -> parse("identity:\n  - jwt: {jwksFile: keys.json}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt.jwksFile")
                .hasMessageContaining("keys.json")
                .hasMessageContaining("no key that can verify");
    }

    @Test
    void unknownJwtKey_isAnError() {
        assertThatThrownBy(() -> parse("identity:\n  - jwt: {hmacSecret: " + SECRET + ", jku: http://x}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("identity[0].jwt.jku");
    }

    /** A broken jwt source is one problem among the others of the file: none of them is hidden by it. */
    @Test
    void badJwtSource_doesNotHideTheOtherProblems() {
        String others =
                """
                bogusKey: 1
                accessLog:
                  queueSize: -5
                unknownCustomer: no/such/cell
                """;

        assertThatThrownBy(() -> parse("identity:\n  - jwt: {issuer: x}\n" + others))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .extracting(ConfigProblem::key)
                        .containsExactlyInAnyOrder(
                                "identity[0].jwt", "bogusKey", "accessLog.queueSize", "unknownCustomer"));
        assertThatThrownBy(() -> parse("identity:\n  - jwt:\n      hmacSecret: ${UNSET_SECRET}\n" + others))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .extracting(ConfigProblem::key)
                        .containsExactlyInAnyOrder(
                                "identity[0].jwt.hmacSecret", "bogusKey", "accessLog.queueSize", "unknownCustomer"));
    }
}
