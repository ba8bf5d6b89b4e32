package io.cellrouter.router.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT. The signals are caught (rather than left to shutdown hooks) so that
 * the process can drain and then exit 0 (README "Operations": shutdown).
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    static void awaitTermination() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    LOG.info("received SIG{}: draining", signal.getName());
                    stop.countDown();
                });
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot handle SIG{} here", name, e);
            }
        }
        stop.await();
    }
}
