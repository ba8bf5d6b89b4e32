package io.cellrouter.registry.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenMinterTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00.750Z");

    private final TestTime time = new TestTime(NOW);

    @Test
    void mint_writesSubCellEndpointTimesAndKid() throws Exception {
        TokenMinter minter = TokenMinter.builder(SigningKey.of(TestKeys.EC, null, null))
                .issuer("https://control-plane.example")
                .audience("cell-router")
                .clock(time)
                .build();

        SignedJWT jwt =
                SignedJWT.parse(minter.mint("acme", "cell-1", "https://cell-1.example:8443", Duration.ofDays(30)));

        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo("ec-1");
        var claims = jwt.getJWTClaimsSet();
        assertThat(claims.getSubject()).isEqualTo("acme");
        assertThat(claims.getStringClaim("cell")).isEqualTo("cell-1");
        assertThat(claims.getStringClaim("ep")).isEqualTo("https://cell-1.example:8443");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(Instant.parse("2026-07-01T00:00:00Z"));
        assertThat(claims.getIssuer()).isEqualTo("https://control-plane.example");
        assertThat(claims.getAudience()).containsExactly("cell-router");
    }

    @Test
    void mint_hmacWithoutKid_writesNoKid() throws Exception {
        TokenMinter minter = TokenMinter.builder(SigningKey.hmac(TestKeys.SECRET, null, null))
                .clock(time)
                .build();

        SignedJWT jwt = SignedJWT.parse(minter.mint("acme", "cell-1", null, Duration.ofHours(1)));

        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
        assertThat(jwt.getHeader().getKeyID()).isNull();
        assertThat(jwt.getJWTClaimsSet().getClaim("ep")).isNull();
    }

    @Test
    void mint_invalidCustomerCellOrEndpoint_isRefused() {
        TokenMinter minter = TokenMinter.builder(SigningKey.hmac(TestKeys.SECRET, null, null))
                .build();

        assertThatThrownBy(() -> minter.mint("a b", "cell-1", null, Duration.ofHours(1)))
                .hasMessageContaining("customer id");
        assertThatThrownBy(() -> minter.mint("acme", "cell/1", null, Duration.ofHours(1)))
                .hasMessageContaining("cell must be a cell name");
        assertThatThrownBy(() -> minter.mint("acme", "cell-1", "ftp://x", Duration.ofHours(1)))
                .hasMessageContaining("endpoint must be");
        assertThatThrownBy(() -> minter.mint("acme", "cell-1", null, Duration.ZERO))
                .hasMessageContaining("ttl");
    }
}
