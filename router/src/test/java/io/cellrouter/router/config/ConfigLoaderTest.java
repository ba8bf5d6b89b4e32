package io.cellrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.config.IdentitySpec.HeaderSpec;
import io.cellrouter.router.config.IdentitySpec.HostSpec;
import io.cellrouter.router.config.IdentitySpec.PathSpec;
import io.cellrouter.router.config.IdentitySpec.QuerySpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    private static RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "cfg.yaml", Path.of("/etc/cr"), Map.of("TOKEN", "abcdefghijklmnopqrstu")::get);
    }

    @Test
    void emptyFile_givesTheDefaults() {
        RouterConfig c = parse("");

        assertThat(c.proxy().listen().getPort()).isEqualTo(8080);
        assertThat(c.admin().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.admin().listen().getPort()).isEqualTo(9090);
        assertThat(c.registry().file()).isEqualTo(Path.of("/etc/cr/registry.yaml"));
        assertThat(c.resolver().refreshAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.resolver().negativeTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.resolver().unknownCustomerCell()).isNull();
        assertThat(c.identity()).containsExactly(new HeaderSpec("x-customer-id"));
    }

    @Test
    void fullExample_parses() {
        RouterConfig c = parse(
                """
                proxy:
                  listen: 0.0.0.0:8081
                admin:
                  listen: 0.0.0.0:9091
                  token: ${TOKEN}
                registry:
                  file: reg.yaml
                cache:
                  maximumSize: 1_000
                  refreshAfter: 5m
                  negativeTtl: 250ms
                  preload: false
                overrides:
                  pollInterval: 2s
                identity:
                  - header: X-Tenant
                  - host: '^(?<customer>[a-z0-9-]+)\\.api\\.example\\.com$'
                  - path: '^/v1/customers/(?<customer>[^/]+)/'
                  - query: customer
                unknownCustomer: cell-0
                """);

        assertThat(c.admin().token()).isEqualTo("abcdefghijklmnopqrstu");
        assertThat(c.registry().file()).isEqualTo(Path.of("/etc/cr/reg.yaml"));
        assertThat(c.resolver().maximumSize()).isEqualTo(1000);
        assertThat(c.resolver().negativeTtl()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.resolver().preload()).isFalse();
        assertThat(c.resolver().pollInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.resolver().unknownCustomerCell()).isEqualTo("cell-0");
        assertThat(c.identity()).hasSize(4);
        assertThat(c.identity().get(0)).isEqualTo(new HeaderSpec("x-tenant"));
        assertThat(c.identity().get(1)).isInstanceOf(HostSpec.class);
        assertThat(c.identity().get(2)).isInstanceOf(PathSpec.class);
        assertThat(c.identity().get(3)).isEqualTo(new QuerySpec("customer"));
    }

    @Test
    void unknownKey_isAnErrorNamingFileAndKey() {
        assertThatThrownBy(() -> parse("cache:\n  maxSize: 10\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml")
                .hasMessageContaining("cache.maxSize");
    }

    @Test
    void badDuration_namesKeyAndValue() {
        assertThatThrownBy(() -> parse("overrides:\n  pollInterval: 1 second\n"))
                .hasMessageContaining("overrides.pollInterval")
                .hasMessageContaining("1 second");
    }

    @Test
    void unsetEnvironmentVariable_isAnError() {
        assertThatThrownBy(() -> parse("admin:\n  token: ${NOPE}\n")).hasMessageContaining("NOPE");
    }

    @Test
    void nonLoopbackAdmin_withoutToken_isAnError() {
        assertThatThrownBy(() -> parse("admin:\n  listen: 0.0.0.0:9090\n"))
                .hasMessageContaining("admin.token is required");
    }

    @Test
    void hostPattern_withoutCustomerGroup_isAnError() {
        assertThatThrownBy(() -> parse("identity:\n  - host: '^(.*)$'\n"))
                .hasMessageContaining("identity[0].host")
                .hasMessageContaining("(?<customer>");
    }

    @Test
    void badListenAddress_isAnError() {
        assertThatThrownBy(() -> parse("proxy:\n  listen: localhost\n")).hasMessageContaining("proxy.listen");
    }

    @Test
    void durations_parseAndFormat() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    }

    @Test
    void duplicateKey_isAnErrorNamingFileAndKey() {
        assertThatThrownBy(() -> parse("cache:\n  maximumSize: 10\n  maximumSize: 20\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml")
                .hasMessageContaining("cache.maximumSize")
                .hasMessageContaining("more than once");
    }

    @Test
    void shortAdminToken_isAnErrorThatNamesTheKeyButNeverTheToken() {
        assertThatThrownBy(() -> parse("admin:\n  token: sh0rt-t0ken\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml")
                .hasMessageContaining("admin.token")
                .hasMessageContaining("at least 16 characters")
                .hasMessageNotContaining("sh0rt-t0ken");
    }

    @Test
    void adminToken_isNotInToString() {
        RouterConfig c = parse("admin:\n  token: ${TOKEN}\n");

        assertThat(c.toString()).doesNotContain("abcdefghijklmnopqrstu");
    }

    @Test
    void everyProblem_isReported_notOnlyTheFirst() {
        assertThatThrownBy(
                        () -> parse("proxy:\n  maxHeaderCount: 0\n  idleTimeout: forever\ncache:\n  negativeTtl: x\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .extracting(ConfigProblem::key)
                        .containsExactlyInAnyOrder("proxy.maxHeaderCount", "proxy.idleTimeout", "cache.negativeTtl"));
    }

    /**
     * Unknown keys come after the known ones (the defaults are laid first), and Jackson builds a
     * section as soon as it has all of them: a section that fails then must keep its own key, and
     * the unknown keys after it must still be reported.
     */
    @Test
    void unknownKeys_afterASectionThatFails_areReported_andTheSectionKeepsItsKey() {
        assertThatThrownBy(
                        () -> parse("accessLog:\n  queueSize: -5\n  bogus: 1\nunknownCustomer: no/such\nbogusKey: 1\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .extracting(ConfigProblem::key)
                        .containsExactlyInAnyOrder(
                                "accessLog.queueSize", "accessLog.bogus", "unknownCustomer", "bogusKey"));
        assertThatThrownBy(() -> parse("identity: []\nbogusKey: 1\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .extracting(ConfigProblem::key)
                        .containsExactlyInAnyOrder("identity", "bogusKey"));
    }

    @Test
    void wrongShapesAndTypes_areProblemsNamingKeyAndValue_andBindingGoesOn() {
        assertThatThrownBy(
                        () -> parse(
                                """
                        proxy:
                          maxConnections: 3000000000
                          maxHeaderCount: 1.5
                        cache:
                          preload: maybe
                        identity:
                          - header: x-a
                            path: '^/(?<customer>[^/]+)/'
                          - x-customer-id
                        overrides: 5
                        """))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).lines())
                        .containsExactlyInAnyOrder(
                                "cfg.yaml: proxy.maxConnections: is too large (at most 2147483647), was '3000000000'",
                                "cfg.yaml: proxy.maxHeaderCount: must be a whole number, was '1.5'",
                                "cfg.yaml: cache.preload: must be true or false, was 'maybe'",
                                "cfg.yaml: identity[0]: each identity source is a map with exactly one key: jwt, header,"
                                        + " host, path or query, was 'header, path'",
                                "cfg.yaml: identity[1]: must be a map with one key: jwt, header, host, path or query,"
                                        + " was 'x-customer-id'",
                                "cfg.yaml: overrides: must be a map of keys, was '5'"));
    }

    @Test
    void numbersWrittenAsText_asAnEnvironmentVariableGivesThem_areRead() {
        RouterConfig c = ConfigLoader.parse(
                "cache:\n  maximumSize: ${SIZE}\n", "cfg.yaml", Path.of("/etc/cr"), Map.of("SIZE", "1_000")::get);

        assertThat(c.cache().maximumSize()).isEqualTo(1000);
    }
}
