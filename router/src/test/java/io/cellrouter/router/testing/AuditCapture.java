package io.cellrouter.router.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** Collects the lines of the {@code cellrouter.audit} logger during a test. */
public final class AuditCapture implements BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level before;

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        // The test classpath's logback-test.xml logs WARN and above only; the audit log is INFO.
        before = logger().getLevel();
        logger().setLevel(Level.INFO);
        logger().addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger().detachAppender(appender);
        logger().setLevel(before);
        appender.stop();
    }

    /** The audit lines so far, oldest first. */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    private static Logger logger() {
        return (Logger) LoggerFactory.getLogger("cellrouter.audit");
    }
}
