package io.cellrouter.registry.store.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.testing.DynaliteExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DynamoDbClientsTest {

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    /** A store that is closed (a command that ends, a test) leaves no HTTP client threads behind. */
    @Test
    void close_afterCalls_stopsTheHttpClientsThreads() {
        DynamoDbSettings settings = Tables.settings(DYNALITE.endpoint(), Tables.newName());
        Set<Thread> before = eventLoopThreads();

        try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(settings, Clock.systemUTC())) {
            assertThat(store.createTable().join()).isTrue();
            assertThat(store.cells().join()).isEmpty();
            assertThat(eventLoopThreads()).isNotEqualTo(before);
        }

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(eventLoopThreads()).allMatch(before::contains));
    }

    private static Set<Thread> eventLoopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("aws-java-sdk-NettyEventLoop"))
                .collect(Collectors.toSet());
    }
}
