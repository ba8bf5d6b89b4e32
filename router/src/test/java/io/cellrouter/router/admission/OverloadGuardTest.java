package io.cellrouter.router.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OverloadGuardTest {

    @Test
    void connectionsBeyondTheLimit_areClosedOnAccept_andCounted() {
        AtomicInteger refused = new AtomicInteger();
        OverloadGuard guard = new OverloadGuard(2, refused::addAndGet);

        EmbeddedChannel first = new EmbeddedChannel(guard);
        EmbeddedChannel second = new EmbeddedChannel(guard);
        EmbeddedChannel third = new EmbeddedChannel(guard);

        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).isFalse();
        assertThat(refused).hasValue(1);

        first.close();
        EmbeddedChannel fourth = new EmbeddedChannel(guard);
        assertThat(fourth.isOpen()).isTrue();
        assertThat(guard.openConnections()).isEqualTo(2);
    }
}
