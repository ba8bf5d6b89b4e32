package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Settings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection that becomes HTTP/2 after the drain's event went by (its TLS handshake chose h2
 * later, its PROXY header came late) drains as soon as it starts: it would otherwise take new
 * streams, and hold the drain, until {@code proxy.idleTimeout}.
 */
class Http2FrontendDrainTest {

    @Test
    void aConnectionStartedWhileDraining_sendsBothGoAways_andCloses() {
        try (Http2FrontendFixture fixture = new Http2FrontendFixture(new Http2Settings(), "", true)) {
            assertThat(fixture.opening).contains("GOAWAY 0 last=" + Integer.MAX_VALUE);
            assertThat(Http2Frontend.draining(fixture.channel)).isTrue();

            fixture.channel.advanceTimeBy(Http2GoAways.GAP_MILLIS, TimeUnit.MILLISECONDS);
            fixture.channel.runScheduledPendingTasks();

            assertThat(fixture.frames()).contains("GOAWAY 0 last=0");
            assertThat(fixture.channel.isOpen()).as("no stream open: closed").isFalse();
        }
    }
}
