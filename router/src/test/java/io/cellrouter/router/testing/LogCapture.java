package io.cellrouter.router.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Collects every log event of a test, from the root logger, with the router's own loggers ({@code
 * io.cellrouter}) down to DEBUG so that what the router writes at DEBUG is seen too. Other
 * loggers keep the test classpath's level (WARN and above).
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level before;

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        before = router().getLevel();
        router().setLevel(Level.DEBUG);
        root().addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        root().detachAppender(appender);
        router().setLevel(before);
        appender.stop();
    }

    /** The events so far, oldest first. */
    public List<ILoggingEvent> events() {
        // logback appends under the appender's own lock
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** An event as an operator would read it: level, logger, message, and the exception written with it. */
    public static String text(ILoggingEvent event) {
        String text = event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage();
        return event.getThrowableProxy() == null
                ? text
                : text + "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static Logger router() {
        return (Logger) LoggerFactory.getLogger("io.cellrouter");
    }
}
