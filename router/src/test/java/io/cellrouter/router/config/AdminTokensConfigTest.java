package io.cellrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.config.AdminToken.Role;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code admin.tokens: [{token, role}]} beside {@code admin.token}. */
class AdminTokensConfigTest {

    private static final String VIEWER = "viewer-secret-0123456789";

    private static RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "cfg.yaml", Path.of("/etc/cr"), Map.of("VIEWER", VIEWER)::get);
    }

    @Test
    void tokens_withRoles_areAddedToTheSingleOperatorToken() {
        RouterConfig c = parse(
                """
                admin:
                  listen: 0.0.0.0:9090
                  token: operator-secret-0123456789
                  tokens:
                    - token: ${VIEWER}
                      role: viewer
                    - {token: second-operator-0123456, role: operator}
                """);

        assertThat(c.admin().allTokens())
                .containsExactly(
                        new AdminToken("operator-secret-0123456789", Role.OPERATOR),
                        new AdminToken(VIEWER, Role.VIEWER),
                        new AdminToken("second-operator-0123456", Role.OPERATOR));
    }

    @Test
    void tokensAlone_areEnoughOnANonLoopbackListener() {
        RouterConfig c = parse(
                """
                admin:
                  listen: 0.0.0.0:9090
                  tokens: [{token: viewer-only-0123456789, role: viewer}]
                """);

        assertThat(c.admin().token()).isNull();
        assertThat(c.admin().allTokens()).extracting(AdminToken::role).containsExactly(Role.VIEWER);
    }

    @Test
    void noTokenAtAll_onANonLoopbackListener_isRefused() {
        assertThatThrownBy(() -> parse("admin:\n  listen: 0.0.0.0:9090\n  tokens: []\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token is required");
    }

    @Test
    void shortToken_isRefused_withoutShowingIt() {
        assertThatThrownBy(() -> parse("admin:\n  tokens: [{token: short-secret, role: viewer}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml")
                .hasMessageContaining("admin.tokens[0].token")
                .hasMessageContaining("16 characters")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void sameTokenTwice_isRefused_withoutShowingIt() {
        assertThatThrownBy(
                        () -> parse(
                                """
                        admin:
                          token: ${VIEWER}
                          tokens:
                            - token: ${VIEWER}
                              role: viewer
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.tokens[0].token")
                .hasMessageContaining("twice")
                .hasMessageNotContaining(VIEWER);
    }

    @Test
    void unknownRole_orUnknownKey_isRefused() {
        assertThatThrownBy(() -> parse("admin:\n  tokens: [{token: " + VIEWER + ", role: admin}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.tokens[0].role")
                .hasMessageContaining("operator or viewer")
                .hasMessageNotContaining(VIEWER);
        assertThatThrownBy(() -> parse("admin:\n  tokens: [{token: " + VIEWER + ", role: viewer, note: x}]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.tokens[0].note");
        assertThatThrownBy(() -> parse("admin:\n  tokens: {token: " + VIEWER + "}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must be a list");
    }

    /**
     * A token read from a file (a Kubernetes Secret made with {@code openssl rand -hex 32 > file})
     * ends with a line break that no caller sends: it is dropped, so the token works.
     */
    @Test
    void tokenFromAFileWithItsTrailingNewline_matchesWhatCallersSend() {
        Map<String, String> env = Map.of("TOKEN", VIEWER + "\n", "OTHER", "second-operator-0123456\r\n");
        RouterConfig c = ConfigLoader.parse(
                "admin:\n  listen: 0.0.0.0:9090\n  token: ${TOKEN}\n  tokens:\n    - token: ${OTHER}\n      role: operator\n",
                "cfg.yaml",
                Path.of("/etc/cr"),
                env::get);

        assertThat(c.admin().token()).isEqualTo(VIEWER);
        assertThat(c.admin().allTokens())
                .extracting(AdminToken::token)
                .containsExactly(VIEWER, "second-operator-0123456");
    }

    @Test
    void tokenWithASpaceOrControlCharacterInside_isRefused_withoutShowingIt() {
        for (String bad :
                new String[] {"viewer-secret 0123456789", "viewer-secret\n0123456789", "viewer\tsecret-0123456789"}) {
            assertThatThrownBy(() -> ConfigLoader.parse(
                            "admin:\n  token: ${T}\n", "cfg.yaml", Path.of("/etc/cr"), Map.of("T", bad)::get))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("admin.token: must be printable ASCII")
                    .hasMessageNotContaining("0123456789");
        }
    }

    /** A secret given where a list or map belongs is named as a problem, never shown. */
    @Test
    void tokensGivenInTheWrongShape_areNotShown() {
        for (String yaml : new String[] {
            "admin:\n  tokens: ${VIEWER}\n",
            "admin:\n  tokens: [\"${VIEWER}\"]\n",
            "admin:\n  tokens:\n    - ${VIEWER}\n",
            "admin:\n  tokens: [viewer-secret-0123456789]\n"
        }) {
            assertThatThrownBy(() -> parse(yaml))
                    .as(yaml)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("admin.tokens")
                    .hasMessageNotContaining(VIEWER);
        }
    }

    @Test
    void toString_neverShowsATokenValue() {
        RouterConfig c = parse("admin:\n  tokens: [{token: " + VIEWER + ", role: viewer}]\n");

        assertThat(c.admin().tokens().toString()).doesNotContain(VIEWER).contains("viewer");
    }
}
