package io.cellrouter.router.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code -c, --config FILE}: the router's configuration, for the commands that run or check it. */
final class ConfigFileOption {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "The configuration file (YAML). Default: ${DEFAULT-VALUE}",
            defaultValue = "config.yaml")
    Path file;
}
