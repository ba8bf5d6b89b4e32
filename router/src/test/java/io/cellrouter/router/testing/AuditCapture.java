package io.cellrouter.router.testing;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** Collects the lines of one logger during a test: by default {@code cellrouter.audit}. */
public class AuditCapture implements BeforeEachCallback, AfterEachCallback {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** The lines so far as JSON objects (the access log's and the audit log's form), oldest first. */
    public List<JsonNode> jsonLines() {
        return lines().stream().map(AuditCapture::json).toList();
    }

    /** The first line that {@code wanted} accepts, awaited for up to 5 s (the access log is written asynchronously). */
    public JsonNode awaitLine(Predicate<JsonNode> wanted) {
        return await().atMost(Duration.ofSeconds(5))
                .until(() -> jsonLines().stream().filter(wanted).findFirst(), Optional::isPresent)
                .orElseThrow();
    }

    /** The access-log line of the request with this {@code x-request-id}, awaited. */
    public JsonNode awaitRequest(String requestId) {
        return awaitLine(line -> requestId.equals(line.path("request_id").asText()));
    }

    private static JsonNode json(String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not a JSON line: " + line, e);
        }
    }

    private Logger logger() {
        return (Logger) LoggerFactory.getLogger(loggerName);
    }
}
