package io.cellrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.registry.token.TokenAlgorithm;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bounded key: its bounds are accepted, one step outside each is refused with a problem that
 * names the file, the key and the value. Also duplicate keys at every depth.
 */
class ConfigRangesTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-ranges";

    /** YAML that sets one dotted key ({@code proxy.http2.maxConcurrentStreams}) to {@code value}. */
    static String yaml(String key, String value) {
        if (key.startsWith("identity[0].jwt.")) {
            return "identity:\n  - jwt:\n      hmacSecret: " + SECRET + "\n      " + key.substring(16) + ": " + value
                    + "\n";
        }
        String[] parts = key.split("\\.");
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            yaml.append("  ".repeat(i)).append(parts[i]).append(':');
            yaml.append(i == parts.length - 1 ? " " + value + "\n" : "\n");
        }
        return yaml.toString();
    }

    private static RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "cfg.yaml", Path.of("/etc/cr"), Map.<String, String>of()::get);
    }

    @ParameterizedTest(name = "{0} in [{1}, {2}]")
    @CsvSource({
        "proxy.maxInitialLineLength, 256, 65536, 255, 65537",
        "proxy.eventLoops, 0, 256, -1, 257",
        "proxy.maxHeaderSize, 1024, 1048576, 1023, 1048577",
        "proxy.maxHeaderCount, 1, 10000, 0, 10001",
        "proxy.maxBodySize, 0, 9223372036854775807, -1, ",
        "proxy.maxConcurrentPerCell, 1, 1000000, 0, 1000001",
        "proxy.maxPendingConnectsPerCell, 1, 100000, 0, 100001",
        "proxy.maxConcurrentPerCustomer, 1, 1000000, 0, 1000001",
        "proxy.customerRate, 0, 10000000, -1, 10000001",
        "proxy.maxConnections, 1, 1000000, 0, 1000001",
        "proxy.http2.maxConcurrentStreams, 1, 10000, 0, 10001",
        "proxy.http2.initialStreamWindow, 65535, 16777216, 65534, 16777217",
        "proxy.http2.connectionWindow, 65535, 67108864, 65534, 67108865",
        "proxy.upstream.maxIdlePerCell, 0, 10000, -1, 10001",
        "registry.maxRemovalFraction, 0, 1, -0.1, 1.5",
        "registry.dynamodb.maxConnections, 1, 10000, 0, 10001",
        "registry.dynamodb.preloadSegments, 1, 1000, 0, 1001",
        "cache.maximumSize, 1, 1000000000, 0, 1000000001",
        "accessLog.queueSize, 16, 4194304, 15, 4194305",
        "identity[0].jwt.cacheSize, 0, 100000000, -1, 100000001",
    })
    void numericKey_boundsAccepted_outsideRefusedNamingKeyAndValue(
            String key, String min, String max, String belowMin, String aboveMax) {
        parse(yaml(key, min));
        parse(yaml(key, max));
        assertRefused(key, belowMin, "must be between");
        if (aboveMax != null) {
            assertRefused(key, aboveMax, "must be between");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "proxy.requestHeaderTimeout",
                "proxy.requestBodyTimeout",
                "proxy.upstream.connectTimeout",
                "proxy.upstream.responseTimeout",
                "cache.refreshAfter",
                "overrides.pollInterval",
                "registry.dynamodb.callTimeout",
                "identity[0].jwt.maxLifetime"
            })
    void durationThatMustBePositive_zeroRefused(String key) {
        parse(yaml(key, "1s"));
        assertRefused(key, "0s", "must be longer than 0");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "proxy.idleTimeout",
                "proxy.drainTimeout",
                "proxy.drainDelay",
                "proxy.maxConnectionAge",
                "proxy.upstream.idleTimeout",
                "proxy.upstream.responseBodyTimeout",
                "admin.moveGracePeriod",
                "cache.negativeTtl"
            })
    void durationWhereZeroMeansOff_zeroAccepted(String key) {
        parse(yaml(key, "0s"));
        assertRefused(key, "-1s", "must be a duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy.listen", "admin.listen"})
    void listenPort_from0To65535(String key) {
        parse(yaml(key, "127.0.0.1:0"));
        parse(yaml(key, "127.0.0.1:65535"));
        assertRefused(key, "127.0.0.1:65536", "port");
    }

    @ParameterizedTest
    @CsvSource({"10m, ", "11m, must be at most 10m"})
    void jwtClockSkew_atMostTenMinutes(String value, String refusal) {
        if (refusal == null) {
            parse(yaml("identity[0].jwt.clockSkew", value));
        } else {
            assertRefused("identity[0].jwt.clockSkew", value, refusal);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "registry.dynamodb.attemptTimeout, 2s, must not be longer than callTimeout",
        "registry.dynamodb.endpoint, http://127.0.0.1:99999, port must be from 1 to 65535",
        "registry.dynamodb.endpoint, http://127.0.0.1:8000/x, must not have a path",
        "registry.dynamodb.endpoint, ftp://127.0.0.1:8000, scheme",
    })
    void dynamodbCrossChecks_refusedNamingKeyAndValue(String key, String value, String refusal) {
        assertRefused(key, value, refusal);
    }

    @ParameterizedTest
    @CsvSource({
        "'admin:\n  token: abcdefghijklmnop\n  token: abcdefghijklmnop\n', admin.token",
        "'proxy:\n  http2:\n    connectionWindow: 65535\n    connectionWindow: 65536\n', proxy.http2.connectionWindow",
        "'unknownCustomer: reject\nunknownCustomer: cell-1\n', unknownCustomer",
        "'identity:\n  - jwt: {hmacSecret: x, hmacSecret: y}\n', identity[0].jwt.hmacSecret",
    })
    void duplicateKey_atAnyDepth_isAProblemNamingIt(String yaml, String key) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(problem -> {
                    assertThat(problem.key()).isEqualTo(key);
                    assertThat(problem.message()).contains("more than once");
                }));
    }

    @ParameterizedTest
    @CsvSource({"0123456789abcdef, true", "0123456789abcde, false"})
    void adminToken_atLeast16Characters_neverShown(String token, boolean accepted) {
        if (accepted) {
            assertThat(parse("admin:\n  token: " + token + "\n").admin().token())
                    .isEqualTo(token);
        } else {
            assertThatThrownBy(() -> parse("admin:\n  token: " + token + "\n"))
                    .hasMessageContaining("cfg.yaml: admin.token: must be at least 16 characters, was <redacted>")
                    .hasMessageNotContaining(token);
        }
    }

    @org.junit.jupiter.api.Test
    void jwtDefaultAlgorithms_areEveryAlgorithm() {
        IdentitySpec.JwtSpec jwt = (IdentitySpec.JwtSpec) parse("identity:\n  - jwt: {hmacSecret: " + SECRET + "}\n")
                .identity()
                .get(0);

        assertThat(jwt.algorithms()).isEqualTo(EnumSet.allOf(TokenAlgorithm.class));
    }

    private static void assertRefused(String key, String value, String refusal) {
        assertThatThrownBy(() -> parse(yaml(key, value)))
                .as("%s: %s", key, value)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.yaml: " + key)
                .hasMessageContaining(value)
                .hasMessageContaining(refusal);
    }
}
