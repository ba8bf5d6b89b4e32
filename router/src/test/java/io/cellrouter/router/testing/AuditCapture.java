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

/** Collects the lines of one logger during a test: by default {@code cellrouter.audit}. */
public class AuditCapture implements BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final String loggerName;
    private Level before;

    public AuditCapture() {
        this("cellrouter.audit");
    }

    protected AuditCapture(String loggerName) {
        this.loggerName = loggerName;
    }

    /** The lines of the access log ({@code cellrouter.access}) instead. */
    public static AuditCapture accessLog() {
        return new AuditCapture("cellrouter.access");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        // The test classpath's logging shows WARN and above only; these lines are INFO.
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

    /** The lines so far, oldest first. */
    public List<String> lines() {
        // logback appends under the appender's own lock
        synchronized (appender) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    private Logger logger() {
        return (Logger) LoggerFactory.getLogger(loggerName);
    }
}
