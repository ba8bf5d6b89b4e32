package io.cellrouter.router.cli;

import io.cellrouter.router.RouterServer;
import io.netty.util.ResourceLeakDetector;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar cell-router.jar [serve|check|demo|registry|token] ...}. {@code serve} is the
 * default command. Exit codes: 0 success, 2 bad arguments or configuration, 1 runtime failure.
 */
@Command(
        name = "cell-router",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Routes each request to the cell of its customer.",
        subcommands = {
            ServeCommand.class,
            CheckCommand.class,
            DemoCommand.class,
            RegistryCommand.class,
            TokenCommand.class,
            AdminCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_RUNTIME = 1;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        quietLeakDetection();
        System.exit(run(args));
    }

    /**
     * Netty's leak detector samples one buffer in 128 and records a stack trace for it: about 1% of
     * the router's CPU on the request path. The production process runs without it unless the
     * operator asks ({@code -Dio.netty.leakDetection.level=simple|advanced|paranoid}); tests, which
     * run the router in their own JVM, keep Netty's default.
     */
    static void quietLeakDetection() {
        if (System.getProperty("io.netty.leakDetection.level") == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /** Runs the command line and returns the exit code (for tests: no System.exit). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("cell-router: " + e.getMessage());
            return EXIT_RUNTIME;
        });
        return cli.execute(withDefaultCommand(args));
    }

    /** {@code serve} is the default: {@code cell-router --config x.yaml} means {@code serve --config x.yaml}. */
    static String[] withDefaultCommand(String[] args) {
        if (args.length == 0
                || (args[0].startsWith("-")
                        && !Arrays.asList("-h", "--help", "-V", "--version").contains(args[0]))) {
            String[] withServe = new String[args.length + 1];
            withServe[0] = "serve";
            System.arraycopy(args, 0, withServe, 1, args.length);
            return withServe;
        }
        return args;
    }

    @Override
    public void run() {
        // Unreachable: there is always a subcommand.
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cell-router " + RouterServer.version()};
        }
    }
}
