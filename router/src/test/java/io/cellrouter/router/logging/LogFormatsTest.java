package io.cellrouter.router.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.LoggingConfig.Format;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The router's own {@code logback.xml} (not the tests' logging set-up) in a logback context of its
 * own, writing to captured stdout and stderr: text by default, JSON objects per line once {@code
 * logging.format: json} is applied, the audit record an object of its line.
 */
class LogFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGBACK_XML = Path.of("src", "main", "resources", "logback.xml");
    private static final String AUDIT_RECORD =
            "{\"time\":\"2026-12-04T10:00:00Z\",\"who\":\"token:sha256:0123456789ab\","
                    + "\"action\":\"move\",\"target\":\"customer/acme\",\"result\":\"applied\",\"status\":200}";

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private PrintStream originalOut;
    private LoggerContext context;

    @BeforeEach
    void configureFromTheShippedFile() throws Exception {
        originalErr = System.err;
        originalOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        context = new LoggerContext();
        context.setName("log-formats-test");
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LOGBACK_XML.toUri().toURL());
    }

    @AfterEach
    void restore() {
        context.stop();
        System.setErr(originalErr);
        System.setOut(originalOut);
    }

    @Test
    void byDefault_applicationLinesAreReadableText() {
        context.getLogger("io.cellrouter.router.RouterServer").info("cell-router {} started", "dev");

        List<String> lines = lines(err);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0))
                .matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S+ INFO  \\[.+] \\S+ - cell-router dev started");
    }

    @Test
    void json_everyApplicationLineIsOneJsonObject_withTheExceptionInStackTrace() throws Exception {
        LogFormats.apply(context, url(), Format.JSON);
        Logger log = context.getLogger("io.cellrouter.router.RouterServer");
        log.info("cell-router {} started", "dev");
        log.warn("registry not loaded yet", new IllegalStateException("store down"));

        List<String> lines = lines(err);
        assertThat(lines).hasSize(2);
        JsonNode started = JSON.readTree(lines.get(0));
        assertThat(started.path("message").asText()).isEqualTo("cell-router dev started");
        assertThat(started.path("level").asText()).isEqualTo("INFO");
        assertThat(started.path("logger").asText()).isEqualTo("io.cellrouter.router.RouterServer");
        assertThat(started.path("thread").asText())
                .isEqualTo(Thread.currentThread().getName());
        assertThat(started.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(started.has("@version")).isFalse();
        JsonNode warning = JSON.readTree(lines.get(1));
        assertThat(warning.path("level").asText()).isEqualTo("WARN");
        assertThat(warning.path("stack_trace").asText()).contains("IllegalStateException: store down");
    }

    @Test
    void json_theAuditRecordIsAnObjectOfItsLine_notJsonInsideAString() throws Exception {
        LogFormats.apply(context, url(), Format.JSON);
        context.getLogger("cellrouter.audit").info("{}", AUDIT_RECORD);

        List<String> lines = lines(err);
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("logger").asText()).isEqualTo("cellrouter.audit");
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("audit").isObject()).isTrue();
        assertThat(line.path("audit")).isEqualTo(JSON.readTree(AUDIT_RECORD));
        assertThat(line.has("message")).isFalse();
    }

    @Test
    void text_theAuditRecordIsTheMessageOfAReadableLine() {
        context.getLogger("cellrouter.audit").info("{}", AUDIT_RECORD);

        assertThat(lines(err)).singleElement().asString().endsWith("cellrouter.audit - " + AUDIT_RECORD);
    }

    @Test
    void accessLog_isTheBareJsonLineOnStdout_inBothFormats() {
        String entry = "{\"time\":\"2026-12-04T10:00:00Z\",\"customer\":\"acme\",\"status\":200}";
        context.getLogger("cellrouter.access").info(entry);
        LogFormats.apply(context, url(), Format.JSON);
        context.getLogger("cellrouter.access").info(entry);

        assertThat(lines(out)).containsExactly(entry, entry);
        assertThat(lines(err)).isEmpty();
    }

    @Test
    void applyingTheFormatInForce_leavesTheConfigurationAlone() {
        ListAppender<ILoggingEvent> attached = new ListAppender<>();
        attached.start();
        context.getLogger("io.cellrouter").addAppender(attached);

        LogFormats.apply(context, url(), Format.TEXT);
        context.getLogger("io.cellrouter.x").warn("still here");

        assertThat(attached.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("still here");
    }

    @Test
    void json_thenText_goesBackToReadableLines() {
        LogFormats.apply(context, url(), Format.JSON);
        LogFormats.apply(context, url(), Format.TEXT);
        context.getLogger("io.cellrouter.x").warn("plain again");

        assertThat(lines(err)).singleElement().asString().doesNotStartWith("{").endsWith(" - plain again");
    }

    @Test
    void configKey_loggingFormat_defaultsToText_andRefusesOtherValuesNamingKeyAndValue() {
        assertThat(parse("").logging().format()).isEqualTo(Format.TEXT);
        assertThat(parse("logging:\n  format: json\n").logging().format()).isEqualTo(Format.JSON);
        assertThatThrownBy(() -> parse("logging:\n  format: xml\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config.yaml: logging.format: must be text or json, was 'xml'");
        assertThatThrownBy(() -> parse("logging:\n  level: debug\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config.yaml: logging.level: unknown key");
    }

    private static io.cellrouter.router.config.RouterConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "config.yaml", Path.of("."), Map.<String, String>of()::get);
    }

    private static java.net.URL url() {
        try {
            return LOGBACK_XML.toUri().toURL();
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(ByteArrayOutputStream stream) {
        String text = stream.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
