package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which I/O transport the router runs on: io_uring with one-shot polls where the kernel allows
 * it, else epoll; or the one asked for. Every test chooses before it asks Netty anything: Netty
 * reads the multishot switch once, when its io_uring support first loads.
 */
class TransportTest {

    /** By default ("") and when asked for: io_uring, and its polls are one-shot. */
    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "io_uring"})
    void ioUring_byDefault_withOneShotPolls(String wanted) {
        Transport transport = Transport.detect(wanted);

        assertThat(IoUring.isAvailable())
                .as("the test machine loads Netty's io_uring (%s)", IoUring.unavailabilityCause())
                .isTrue();
        assertThat(transport.name()).isEqualTo("io_uring");
        assertThat(transport.why()).isEmpty();
        assertThat(transport.socketChannel().getSimpleName()).isEqualTo("IoUringSocketChannel");
        assertThat(IoUring.isPollAddMultishotEnabled())
                .as("multishot POLL_ADD (misses a cell's reset)")
                .isFalse();
    }

    @Test
    void epoll_whenAskedFor() {
        Transport epoll = Transport.detect("epoll");

        assertThat(Epoll.isAvailable())
                .as("the test machine loads Netty's epoll")
                .isTrue();
        assertThat(epoll.name()).isEqualTo("epoll");
        assertThat(epoll.why()).isEqualTo(" (cellrouter.transport=epoll)");
        assertThat(epoll.socketChannel().getSimpleName()).isEqualTo("EpollSocketChannel");
    }

    @Test
    void nio_whenAskedFor() {
        Transport nio = Transport.detect("nio");

        assertThat(nio.name()).isEqualTo("nio");
        assertThat(nio.socketChannel().getSimpleName()).isEqualTo("NioSocketChannel");
    }

    /**
     * A JVM started with multishot polls on gets epoll: the router never runs on the io_uring that
     * misses resets. A JVM of its own, since this one has read the switch already.
     */
    @Test
    void multishotPollsTurnedOn_epollInstead() throws Exception {
        assertThat(transportOfNewJvm("-D" + Transport.MULTISHOT_POLL_PROPERTY + "=true"))
                .isEqualTo("epoll (io_uring: multishot polls are on (" + Transport.MULTISHOT_POLL_PROPERTY + "))");
        assertThat(transportOfNewJvm("-D" + Transport.MULTISHOT_POLL_PROPERTY + "=false"))
                .isEqualTo("io_uring");
    }

    /** The transport (and why) a new JVM on this classpath chooses by default, given {@code option}. */
    private static String transportOfNewJvm(String option) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(
                        java.toString(),
                        option,
                        "-cp",
                        System.getProperty("java.class.path"),
                        PrintTransport.class.getName()))
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines()
                .filter(line -> line.startsWith("transport="))
                .map(line -> line.substring("transport=".length()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no transport printed: " + out));
    }

    /** The child JVM of {@link #multishotPollsTurnedOn_epollInstead()}. */
    static final class PrintTransport {
        public static void main(String[] args) {
            Transport transport = Transport.detect();
            System.out.println("transport=" + transport.name() + transport.why());
        }
    }
}
