package io.cellrouter.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.cellrouter.router.testing.LogCapture;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener out of file descriptors, as its pipeline sees it: the same failed accept over and
 * over. On an embedded event loop whose clock the test moves: no sleeping.
 */
class AcceptFailuresTest {

    @RegisterExtension
    final LogCapture logs = new LogCapture();

    private final MockTicker ticker = Ticker.newMockTicker();
    private final Counter failures = Counter.builder("cellrouter.accept.failures")
            .tag("listener", "proxy")
            .register(new SimpleMeterRegistry());
    /** What went on past the handler, to where Netty would log it with its stack trace. */
    private final List<Throwable> passedOn = new ArrayList<>();

    private final EmbeddedChannel listener = EmbeddedChannel.builder()
            .ticker(ticker)
            .handlers(new AcceptFailures("proxy.listen", failures), new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    passedOn.add(cause);
                }
            })
            .build();

    @AfterEach
    void close() {
        listener.finishAndReleaseAll();
    }

    /**
     * What io_uring fires on the listener when accept(2) answers EMFILE, as Netty words it (its
     * NativeIoException is an IOException that needs the native library to be made).
     */
    private static IOException tooManyOpenFiles() {
        return new IOException("io_uring accept(..) failed with error(-24): Too many open files");
    }

    private void advanceMillis(long millis) {
        ticker.advance(millis, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
    }

    private List<ILoggingEvent> warnings() {
        return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void manyFailedAccepts_pauseAccepting_countEach_andWarnOnce_withoutAStackTrace() {
        for (int i = 0; i < 1000; i++) {
            listener.pipeline().fireExceptionCaught(tooManyOpenFiles());
        }

        assertThat(listener.config().isAutoRead()).isFalse();
        assertThat(failures.count()).isEqualTo(1000);
        assertThat(passedOn).isEmpty();
        assertThat(warnings()).hasSize(1);
        ILoggingEvent warning = warnings().get(0);
        assertThat(warning.getFormattedMessage())
                .isEqualTo("cannot accept connections on proxy.listen embedded: Too many open files (ulimit -n);"
                        + " pausing accepts for 1 s; 1 failure since the last message");
        assertThat(warning.getThrowableProxy()).isNull();

        advanceMillis(999);
        assertThat(listener.config().isAutoRead()).isFalse();
        advanceMillis(1);
        assertThat(listener.config().isAutoRead()).isTrue();
    }

    @Test
    void failuresGoingOn_pauseEachTime_andWarnAgainAfterTenSeconds_withTheFailuresBetween() {
        for (int second = 0; second < 10; second++) {
            listener.pipeline().fireExceptionCaught(tooManyOpenFiles());
            listener.pipeline().fireExceptionCaught(tooManyOpenFiles());
            assertThat(listener.config().isAutoRead()).isFalse();
            advanceMillis(1000);
            assertThat(listener.config().isAutoRead()).isTrue();
        }
        assertThat(warnings()).hasSize(1);

        listener.pipeline().fireExceptionCaught(tooManyOpenFiles());

        assertThat(warnings()).hasSize(2);
        assertThat(warnings().get(1).getFormattedMessage()).endsWith("; 20 failures since the last message");
        assertThat(failures.count()).isEqualTo(21);
        assertThat(passedOn).isEmpty();
    }

    @Test
    void anythingButAnIoException_goesOnAsBefore_unpausedAndUncounted() {
        IllegalStateException other = new IllegalStateException("not an accept");

        listener.pipeline().fireExceptionCaught(other);

        assertThat(passedOn).containsExactly(other);
        assertThat(listener.config().isAutoRead()).isTrue();
        assertThat(failures.count()).isZero();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void reason_dropsTheNativePrefix_andNamesTheLimit() {
        assertThat(AcceptFailures.reason(tooManyOpenFiles())).isEqualTo("Too many open files (ulimit -n)");
        assertThat(AcceptFailures.reason(new IOException("accept(..) failed: Too many open files in system")))
                .isEqualTo("Too many open files in system (the system's limit, fs.file-max)");
        assertThat(AcceptFailures.reason(new IOException("Too many open files")))
                .isEqualTo("Too many open files (ulimit -n)");
        assertThat(AcceptFailures.reason(new IOException("Connection aborted"))).isEqualTo("Connection aborted");
    }
}
