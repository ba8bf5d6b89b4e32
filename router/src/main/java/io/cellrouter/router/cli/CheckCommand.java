package io.cellrouter.router.cli;

import io.cellrouter.router.registry.RegistryStores;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code check --config FILE}: validates the configuration and the registry it names (or that the
 * DynamoDB table holds) without binding a port, and prints every problem on stdout, one per line
 * ({@code file: key: what is wrong, was 'value'}, secrets as {@code <redacted>}). Exit 0 when clean,
 * 2 otherwise. {@code serve} runs the same checks before it binds.
 */
@Command(
        name = "check",
        mixinStandardHelpOptions = true,
        description = {
            "Check a configuration and the registry it names without starting anything.",
            "Prints every problem, one per line (file, key, value, what is wrong); exit 0 when clean, 2 otherwise."
        })
final class CheckCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        Preflight preflight = Preflight.run(config.file, System::getenv, true);
        PrintWriter out = spec.commandLine().getOut();
        if (preflight.clean()) {
            out.println(config.file + ": no problems found (registry "
                    + RegistryStores.describe(preflight.config().registry()) + ")");
            out.flush();
            return Main.EXIT_OK;
        }
        preflight.lines().forEach(out::println);
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println("cell-router check: " + preflight.problems().size() + " problem"
                + (preflight.problems().size() == 1 ? "" : "s") + " in " + config.file);
        err.flush();
        return Main.EXIT_USAGE;
    }
}
