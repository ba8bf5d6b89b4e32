package io.cellrouter.router.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.registry.token.SigningKey;
import io.cellrouter.registry.token.TokenAlgorithm;
import io.cellrouter.registry.token.TokenMinter;
import io.cellrouter.registry.token.VerifierConfig;
import io.cellrouter.router.config.IdentitySpec.HeaderSpec;
import io.cellrouter.router.config.IdentitySpec.JwtSpec;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The jwt source in front of the header source: tokens win, invalid tokens never fall through. */
class JwtIdentitySourceTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-router-test";

    private final IdentityResolver resolver = IdentityResolver.fromConfig(List.of(
            new JwtSpec(
                    "authorization",
                    "sub",
                    "cell",
                    SECRET,
                    null,
                    null,
                    null,
                    VerifierConfig.DEFAULT_CLOCK_SKEW,
                    VerifierConfig.DEFAULT_MAX_LIFETIME,
                    EnumSet.allOf(TokenAlgorithm.class),
                    1000),
            new HeaderSpec("x-customer-id")));

    private final TokenMinter minter = TokenMinter.builder(
                    SigningKey.hmac(SECRET.getBytes(StandardCharsets.UTF_8), null, null))
            .build();

    @AfterEach
    void close() {
        resolver.close();
    }

    private static RequestHead request(String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return new HttpRequestHead(r, RequestTarget.parse("/"));
    }

    private String token(String customer, String cell) {
        return minter.mint(customer, cell, null, Duration.ofHours(1));
    }

    @Test
    void headerFields_areEveryHeaderAnIdentityIsReadFrom_theTokensAndThePlainOnes() {
        assertThat(resolver.headerFields())
                .extracting(CharSequence::toString)
                .containsExactlyInAnyOrder("authorization", "x-customer-id");
    }

    @Test
    void validToken_yieldsTheCustomerAndTheCellHint() {
        Identity identity = resolver.identify(request("Authorization", "Bearer " + token("acme", "cell-2")));

        assertThat(identity).isEqualTo(new Identity("acme", "cell-2", "jwt"));
    }

    @Test
    void validTokenForA_withIdentityHeaderB_isA_andTheHeaderIsRemoved() {
        RequestHead request = request("Authorization", "Bearer " + token("acme", "cell-1"), "x-customer-id", "globex");

        assertThat(resolver.identify(request).customer()).isEqualTo("acme");
        assertThat(request.values(io.netty.util.AsciiString.of("x-customer-id")).hasNext())
                .isFalse();
        assertThat(request.values(io.netty.util.AsciiString.of("authorization")).hasNext())
                .isTrue();
    }

    @Test
    void invalidToken_is401InvalidToken_andNeverFallsThroughToTheHeader() {
        String tampered = token("acme", "cell-1") + "x";

        assertThatThrownBy(() ->
                        resolver.identify(request("Authorization", "Bearer " + tampered, "x-customer-id", "globex")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_TOKEN))
                .hasMessageContaining("invalid token");
    }

    @Test
    void bearerSchemeWithoutAToken_isAmbiguous() {
        assertThatThrownBy(() -> resolver.identify(request("Authorization", "Bearer", "x-customer-id", "acme")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    @Test
    void twoAuthorizationHeaders_areAmbiguous() {
        RequestHead request = request(
                "Authorization",
                "Bearer " + token("acme", "cell-1"),
                "Authorization",
                "Bearer " + token("globex", null));

        assertThatThrownBy(() -> resolver.identify(request))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    @Test
    void basicThenBearer_inEitherOrder_isAmbiguous() {
        RequestHead request =
                request("Authorization", "Basic Zm9vOmJhcg==", "Authorization", "Bearer " + token("acme", null));

        assertThatThrownBy(() -> resolver.identify(request))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    @Test
    void bearerTokenStart_acceptsOnlySchemeSpacesAndOneToken68() {
        assertThat(JwtIdentitySource.bearerTokenStart("Bearer abc.def-_~+/==")).isEqualTo(7);
        assertThat(JwtIdentitySource.bearerTokenStart("bEaReR   abc")).isEqualTo(9);
        assertThat(JwtIdentitySource.bearerTokenStart("Basic abc")).isEqualTo(JwtIdentitySource.NOT_BEARER);
        assertThat(JwtIdentitySource.bearerTokenStart("Bearerx abc")).isEqualTo(JwtIdentitySource.NOT_BEARER);
        assertThat(JwtIdentitySource.bearerTokenStart("")).isEqualTo(JwtIdentitySource.NOT_BEARER);
        for (String malformed : new String[] {
            "Bearer",
            "Bearer\tabc",
            "Bearer abc def",
            "Bearer abc,Bearer def",
            "Bearer =abc",
            "Bearer abc=x",
            "Bearer\u00a0abc"
        }) {
            assertThat(JwtIdentitySource.bearerTokenStart(malformed))
                    .as(malformed)
                    .isEqualTo(JwtIdentitySource.MALFORMED);
        }
    }

    @Test
    void otherAuthorizationScheme_fallsThroughToTheNextSource() {
        Identity identity = resolver.identify(request("Authorization", "Basic Zm9vOmJhcg==", "x-customer-id", "acme"));

        assertThat(identity).isEqualTo(new Identity("acme", null, "header"));
    }

    @Test
    void noAuthorizationHeader_fallsThroughToTheNextSource() {
        assertThat(resolver.identify(request("x-customer-id", "acme")).source()).isEqualTo("header");
    }

    @Test
    void bearerScheme_isCaseInsensitive() {
        assertThat(resolver.identify(request("Authorization", "bearer  " + token("acme", null)))
                        .customer())
                .isEqualTo("acme");
    }
}
