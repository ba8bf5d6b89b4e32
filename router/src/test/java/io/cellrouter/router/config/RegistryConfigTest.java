package io.cellrouter.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.registry.store.dynamodb.DynamoDbSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code registry} section: file or DynamoDB, and the snapshot. */
class RegistryConfigTest {

    @TempDir
    Path dir;

    private RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "cfg.yaml", dir, Map.<String, String>of()::get);
    }

    @Test
    void dynamodb_withEveryKey_givesTheStoreSettings() {
        RouterConfig c = parse(
                """
                registry:
                  dynamodb:
                    table: routing
                    region: eu-west-1
                    endpoint: http://127.0.0.1:8000
                    callTimeout: 2s
                    attemptTimeout: 500ms
                    maxConnections: 20
                    preloadSegments: 8
                  snapshot: state/snapshot.json
                """);

        var settings = c.registry().dynamodb().settings();
        assertThat(c.registry().file()).isNull();
        assertThat(settings.table()).isEqualTo("routing");
        assertThat(settings.region()).isEqualTo("eu-west-1");
        assertThat(settings.endpoint()).isEqualTo(URI.create("http://127.0.0.1:8000"));
        assertThat(settings.callTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.attemptTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.maxConnections()).isEqualTo(20);
        assertThat(settings.scanSegments()).isEqualTo(8);
        assertThat(c.registry().snapshot()).isEqualTo(dir.resolve("state/snapshot.json"));
    }

    @Test
    void dynamodb_empty_usesTheDefaults() {
        var settings =
                parse("registry:\n  dynamodb: {}\n").registry().dynamodb().settings();

        assertThat(settings.table()).isEqualTo("cell-router");
        assertThat(settings.region()).isNull();
        assertThat(settings.endpoint()).isNull();
        assertThat(settings.callTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.attemptTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(settings.maxConnections())
                .as("the store's own default, sized for the resolver's read bounds")
                .isEqualTo(DynamoDbSettings.DEFAULT_MAX_CONNECTIONS);
    }

    @Test
    void dynamodbAndFile_isAnErrorNamingBoth() {
        assertThatThrownBy(() -> parse("registry:\n  file: r.yaml\n  dynamodb:\n    table: routing\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.file")
                .hasMessageContaining("registry.dynamodb");
    }

    @Test
    void dynamodbEndpointNotAUrl_isAnErrorNamingKeyAndValue() {
        assertThatThrownBy(() -> parse("registry:\n  dynamodb:\n    endpoint: localhost:8000\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.dynamodb.endpoint")
                .hasMessageContaining("localhost:8000");
    }

    @Test
    void dynamodbAttemptLongerThanCall_isAnErrorNamingBoth() {
        assertThatThrownBy(() -> parse("registry:\n  dynamodb:\n    callTimeout: 1s\n    attemptTimeout: 2s\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.dynamodb")
                .hasMessageContaining("attemptTimeout")
                .hasMessageContaining("callTimeout");
    }

    @Test
    void dynamodbUnknownKey_isAnErrorNamingIt() {
        assertThatThrownBy(() -> parse("registry:\n  dynamodb:\n    tabel: routing\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.dynamodb.tabel");
    }

    @Test
    void dynamodbBadTableName_isAnErrorNamingKeyAndValue() {
        assertThatThrownBy(() -> parse("registry:\n  dynamodb:\n    table: 'a b'\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.dynamodb.table")
                .hasMessageContaining("a b");
    }

    @Test
    void snapshotThatIsADirectory_isAnError() throws Exception {
        Files.createDirectories(dir.resolve("snap"));

        assertThatThrownBy(() -> parse("registry:\n  snapshot: snap\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("registry.snapshot");
    }

    @Test
    void snapshotWithTheFileStore_isAccepted() {
        RouterConfig c = parse("registry:\n  file: r.yaml\n  snapshot: last-good.json\n");

        assertThat(c.registry().file()).isEqualTo(dir.resolve("r.yaml"));
        assertThat(c.registry().snapshot()).isEqualTo(dir.resolve("last-good.json"));
    }
}
