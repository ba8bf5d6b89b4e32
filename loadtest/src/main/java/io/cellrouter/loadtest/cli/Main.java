package io.cellrouter.loadtest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar cell-loadtest.jar run|bench|cell|relay|grpc-bench-server|grpc-bench-client|jmh|heap}. Exit codes as the router's: 0
 * success, 2 bad arguments, 1 runtime failure.
 */
@Command(
        name = "cell-loadtest",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Open-loop load generator and side-by-side benchmark for cell-router.",
        subcommands = {
            RunCommand.class,
            BenchCommand.class,
            CellCommand.class,
            RelayCommand.class,
            GrpcBenchServerCommand.class,
            GrpcBenchClientCommand.class,
            JmhCommand.class,
            HeapCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(e -> e instanceof IllegalArgumentException ? 2 : 1);
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return 2;
            }
            commandLine.getErr().println("failed: " + e);
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cell-loadtest " + (v == null ? "dev" : v)};
        }
    }
}
