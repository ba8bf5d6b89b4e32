package io.cellrouter.router.cli;

import io.cellrouter.router.RouterServer;
import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.logging.LogFormats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve --config FILE}: runs the router until SIGTERM or SIGINT, then drains and exits 0. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the router with a YAML configuration file (the default command).")
final class ServeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-c", "--config"},
            description = "The configuration file (YAML). Default: ${DEFAULT-VALUE}",
            defaultValue = "config.yaml")
    Path config;

    @Override
    public Integer call() throws Exception {
        RouterConfig parsed;
        try {
            if (!Files.isRegularFile(config)) {
                throw new ConfigException(config + ": no such configuration file");
            }
            parsed = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("cell-router: bad configuration: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        LogFormats.apply(parsed.logging().format());
        RouterServer server = RouterServer.start(parsed, Clock.systemUTC());
        Signals.awaitTermination();
        boolean clean = server.drainAndStop(parsed.proxy().drainTimeout());
        return clean ? Main.EXIT_OK : Main.EXIT_RUNTIME;
    }
}
