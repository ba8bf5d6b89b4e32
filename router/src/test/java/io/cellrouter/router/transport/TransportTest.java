package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which I/O transport the router runs on: epoll where it loads, or the one asked for. */
class TransportTest {

    /** By default ("") epoll, even where io_uring loads; and epoll when asked for. */
    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "epoll"})
    void epoll_byDefault_andWhenAskedFor(String wanted) {
        assertThat(Epoll.isAvailable())
                .as("the test machine loads Netty's epoll")
                .isTrue();

        assertThat(Transport.detect(wanted).name()).isEqualTo("epoll");
    }

    @Test
    void ioUring_whenAskedFor_andTheKernelAllowsIt_elseEpoll() {
        assertThat(Transport.detect("io_uring").name()).isEqualTo(IoUring.isAvailable() ? "io_uring" : "epoll");
    }

    @Test
    void nio_whenAskedFor() {
        Transport nio = Transport.detect("nio");

        assertThat(nio.name()).isEqualTo("nio");
        assertThat(nio.socketChannel().getSimpleName()).isEqualTo("NioSocketChannel");
    }
}
