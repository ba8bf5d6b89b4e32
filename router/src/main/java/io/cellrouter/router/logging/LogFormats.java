package io.cellrouter.router.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import io.cellrouter.router.config.LoggingConfig.Format;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.format} to logback once the configuration has been read.
 *
 * <p>Logback configures itself before the router's configuration file is read, from {@code
 * logback.xml}, whose appenders are chosen by the property {@value #PROPERTY} ({@code text}
 * unless set). When the configuration asks for another format, the same logback file is loaded
 * again with the property set: the lines before that (the JVM's start) are in the format the
 * process started with, unless it was started with {@code -Dcellrouter.logging.format=json}. A
 * logback file of the operator's own ({@code -Dlogback.configurationFile}) is reloaded the same way
 * and may or may not use the property.
 *
 * <p>Called once, on the main thread, before any listener is bound: no other thread logs while
 * the appenders are swapped.
 */
public final class LogFormats {

    /** The logback property that selects the appenders of {@code logback.xml}. */
    public static final String PROPERTY = "cellrouter.logging.format";

    private LogFormats() {}

    /** Applies {@code format} to the process's logback, if logback is the SLF4J binding. */
    public static void apply(Format format) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context) || wanted(format).equals(current(context))) {
            return;
        }
        URL file = configurationFile(context);
        if (file == null) {
            context.getLogger(LogFormats.class)
                    .warn(
                            "logging.format {}: no logback configuration file found; the format is unchanged",
                            wanted(format));
            return;
        }
        apply(context, file, format);
    }

    /** Loads {@code file} into {@code context} again with {@code format}, unless it is in force already. */
    public static void apply(LoggerContext context, URL file, Format format) {
        String wanted = wanted(format);
        if (wanted.equals(current(context))) {
            return;
        }
        context.reset();
        context.putProperty(PROPERTY, wanted);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(file);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot reload the logging configuration " + file + ": " + e, e);
        }
    }

    /**
     * The file logback was configured from: the one it recorded, else the one named by {@code
     * -Dlogback.configurationFile}, else the router's own {@code logback.xml}.
     */
    private static URL configurationFile(LoggerContext context) {
        URL recorded = ConfigurationWatchListUtil.getMainWatchURL(context);
        if (recorded != null) {
            return recorded;
        }
        String named = System.getProperty("logback.configurationFile");
        if (named != null) {
            try {
                return named.contains(":/")
                        ? URI.create(named).toURL()
                        : Path.of(named).toUri().toURL();
            } catch (MalformedURLException | IllegalArgumentException e) {
                return null;
            }
        }
        return LogFormats.class.getResource("/logback.xml");
    }

    private static String wanted(Format format) {
        return format.name().toLowerCase(Locale.ROOT);
    }

    /** The format in force: the context's property, else the JVM's system property, else text. */
    static String current(LoggerContext context) {
        String value = context.getProperty(PROPERTY);
        if (value == null) {
            value = System.getProperty(PROPERTY);
        }
        return value == null ? "text" : value;
    }
}
