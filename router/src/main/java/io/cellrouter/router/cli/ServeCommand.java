package io.cellrouter.router.cli;

import io.cellrouter.router.RouterServer;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.logging.LogFormats;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code serve --config FILE}: runs the checks of {@code check} (every problem printed, exit 2),
 * then the router until SIGTERM or SIGINT, then drains and exits 0. A registry file that cannot be
 * read is not fatal when a last-known-good snapshot exists: the router starts on it and takes up
 * the file once it is readable again (static stability).
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the router with a YAML configuration file (the default command).")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() throws Exception {
        Preflight preflight = Preflight.run(config.file, System::getenv, false);
        if (!preflight.clean()) {
            if (preflight.canStartFromSnapshot()) {
                preflight.lines().forEach(line -> LOG.warn("{} (starting from the last-known-good snapshot)", line));
            } else {
                PrintWriter err = spec.commandLine().getErr();
                err.println("cell-router: bad configuration:");
                preflight.lines().forEach(line -> err.println("  " + line));
                err.flush();
                return Main.EXIT_USAGE;
            }
        }
        RouterConfig parsed = preflight.config();
        LogFormats.apply(parsed.logging().format());
        RouterServer server = RouterServer.start(parsed, Clock.systemUTC());
        Signals.awaitTermination();
        // A drain that ran out of time still exits 0: it is an ordinary rollout, and the warning
        // "drain timeout: closing N unfinished exchanges" already says what was cut short.
        server.drainAndStop(parsed.proxy().drainTimeout());
        return Main.EXIT_OK;
    }
}
