package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadPlanTest {

    @Test
    void nonLoopbackTarget_rejected() {
        assertThatThrownBy(() ->
                        Plans.open(URI.create("http://192.0.2.10:8080"), Protocol.HTTP1, 10, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address");
    }

    @Test
    void httpsTarget_rejected() {
        assertThatThrownBy(() ->
                        Plans.open(URI.create("https://127.0.0.1:8443"), Protocol.HTTP1, 10, Duration.ofSeconds(1), 1))
                .hasMessageContaining("http://HOST:PORT");
    }

    @Test
    void tooManyConnections_rejected() {
        assertThatThrownBy(() -> Plans.open(
                        URI.create("http://127.0.0.1:1"), Protocol.HTTP1, 10, Duration.ofSeconds(1), 100_000))
                .hasMessageContaining("connections must be in");
    }

    @Test
    void zeroRate_rejected() {
        assertThatThrownBy(
                        () -> Plans.open(URI.create("http://127.0.0.1:1"), Protocol.HTTP1, 0, Duration.ofSeconds(1), 1))
                .hasMessageContaining("rate must be");
    }
}
