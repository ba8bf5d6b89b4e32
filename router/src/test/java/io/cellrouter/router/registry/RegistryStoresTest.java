package io.cellrouter.router.registry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RegistryConfig;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The router's DynamoDB store, opened with a pool smaller than the resolver's read bounds need, says so. */
class RegistryStoresTest {

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(RegistryStores.class)).addAppender(logs);
    }

    @AfterEach
    void stopCapturing() {
        ((Logger) LoggerFactory.getLogger(RegistryStores.class)).detachAppender(logs);
    }

    @Test
    void aPoolUnderTheDefault_isWarnedAbout_theDefaultIsNot() {
        open("registry:\n  dynamodb:\n    maxConnections: 50\n    region: eu-west-1\n");
        open("registry:\n  dynamodb:\n    region: eu-west-1\n");

        assertThat(logs.list)
                .filteredOn(event -> event.getLevel() == Level.WARN)
                .singleElement()
                .satisfies(event -> assertThat(event.getFormattedMessage())
                        .contains("registry.dynamodb.maxConnections is 50, under 100"));
    }

    private void open(String yaml) {
        RegistryConfig config = ConfigLoader.parse(yaml, "config.yaml", Path.of("."), name -> null)
                .registry();
        try (RegistryStore store = RegistryStores.open(config, Clock.systemUTC(), edit -> {})) {
            assertThat(store).isNotNull();
        }
    }
}
