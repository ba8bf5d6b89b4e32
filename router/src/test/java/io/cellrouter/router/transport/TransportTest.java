package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

/** Which I/O transport the router runs on: epoll where it loads, or the one asked for. */
class TransportTest {

    @Test
    void byDefault_epoll_evenWhereIoUringLoads() {
        assertThat(Epoll.isAvailable())
                .as("the test machine loads Netty's epoll")
                .isTrue();

        assertThat(Transport.detect("").name()).isEqualTo("epoll");
    }

    @Test
    void ioUring_whenAskedFor_andTheKernelAllowsIt_elseEpoll() {
        assertThat(Transport.detect("io_uring").name()).isEqualTo(IoUring.isAvailable() ? "io_uring" : "epoll");
    }

    @Test
    void epoll_whenAskedFor() {
        assertThat(Epoll.isAvailable())
                .as("the test machine loads Netty's epoll")
                .isTrue();

        assertThat(Transport.detect("epoll").name()).isEqualTo("epoll");
    }

    @Test
    void nio_whenAskedFor() {
        Transport nio = Transport.detect("nio");

        assertThat(nio.name()).isEqualTo("nio");
        assertThat(nio.socketChannel().getSimpleName()).isEqualTo("NioSocketChannel");
    }
}
