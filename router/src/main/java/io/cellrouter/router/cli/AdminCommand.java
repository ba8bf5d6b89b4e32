package io.cellrouter.router.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.config.AdminToken;
import io.cellrouter.router.config.Durations;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code cell-router admin ...}: the admin API from a shell, over the JDK HTTP client. Tables for
 * people, {@code --json} (the API's own answers) for scripts. The token is read from an environment
 * variable ({@code --token-env}, default {@value #DEFAULT_TOKEN_ENV}), never from the command line,
 * where other users of the machine could read it.
 *
 * <p>Exit codes: 0 done; 1 the API refused (its status, error code and message on stderr) or could
 * not be reached; 2 bad arguments.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Drive a router's admin API: cells, customers, moves, overrides, shadows, live stats.",
        subcommands = {
            AdminReads.Cells.class,
            AdminReads.CellCommand.class,
            AdminReads.Customers.class,
            AdminReads.Customer.class,
            AdminChanges.Move.class,
            AdminChanges.OverrideCommand.class,
            AdminChanges.ShadowCommand.class,
            AdminReads.Resolve.class,
            AdminReads.Stats.class
        })
final class AdminCommand {

    static final String DEFAULT_TOKEN_ENV = "CELL_ROUTER_ADMIN_TOKEN";

    @Option(
            names = "--url",
            scope = ScopeType.INHERIT,
            defaultValue = "http://127.0.0.1:9090",
            description = "The router's admin listener. Default: ${DEFAULT-VALUE}")
    String url;

    @Option(
            names = "--token-env",
            scope = ScopeType.INHERIT,
            defaultValue = DEFAULT_TOKEN_ENV,
            paramLabel = "NAME",
            description = "The environment variable holding the admin token. Default: ${DEFAULT-VALUE}")
    String tokenEnv;

    @Option(
            names = "--json",
            scope = ScopeType.INHERIT,
            description = "Print the API's JSON answers instead of tables.")
    boolean json;

    /** A bad argument found by a subcommand itself: exit 2. */
    static final class BadArgument extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadArgument(String message) {
            super(message, null, false, false);
        }
    }

    AdminClient client() {
        URI base;
        try {
            base = new URI(url.endsWith("/") ? url : url + "/");
        } catch (URISyntaxException e) {
            throw new BadArgument("--url is not a URL: " + url);
        }
        if (base.getHost() == null || !("http".equals(base.getScheme()) || "https".equals(base.getScheme()))) {
            throw new BadArgument("--url must be an http:// or https:// URL, was '" + url + "'");
        }
        String token = AdminToken.fromSecret(System.getenv(tokenEnv));
        if (!AdminToken.isWellFormed(token)) {
            // Never the value: it is a secret.
            throw new BadArgument("$" + tokenEnv + " holds a space or control character; a bearer token cannot");
        }
        return new AdminClient(base, token == null || token.isEmpty() ? null : token);
    }

    /** Whether no token was sent: the variable {@code --token-env} names is unset or empty. */
    boolean tokenMissing() {
        String token = AdminToken.fromSecret(System.getenv(tokenEnv));
        return token == null || token.isEmpty();
    }

    static String name(String value, String what) {
        if (!Cell.NAME.matcher(value).matches()) {
            throw new BadArgument(what + " must match " + Cell.NAME.pattern() + ", was '" + value + "'");
        }
        return value;
    }

    static String duration(String value, String option) {
        try {
            Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadArgument(option + " " + e.getMessage() + ", was '" + value + "'");
        }
        return value;
    }

    /** What every subcommand shares: the parent's options, output, and the exit codes. */
    abstract static class Subcommand implements Callable<Integer> {

        @ParentCommand
        AdminCommand admin;

        @Spec
        CommandSpec spec;

        @Override
        public final Integer call() {
            try {
                run(admin.client());
                return Main.EXIT_OK;
            } catch (BadArgument e) {
                return fail(Main.EXIT_USAGE, e.getMessage());
            } catch (AdminClient.Refused e) {
                String hint = e.status == 401 && admin.tokenMissing()
                        ? " ($" + admin.tokenEnv + " is not set or empty: export the admin token there)"
                        : "";
                return fail(Main.EXIT_RUNTIME, "refused: " + e.status + " " + e.error + ": " + e.getMessage() + hint);
            } catch (AdminClient.Unreachable e) {
                return fail(Main.EXIT_RUNTIME, e.getMessage());
            } catch (Cancelled e) {
                return fail(Main.EXIT_RUNTIME, e.getMessage());
            }
        }

        abstract void run(AdminClient client);

        boolean json() {
            return admin.json;
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        void printJson(JsonNode node) {
            try {
                out().println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out().flush();
        }

        /** The admin API's answer with {@code --json}, else the one line that says what happened. */
        void print(JsonNode answer, String line) {
            if (json()) {
                printJson(answer);
            } else {
                out().println(line);
                out().flush();
            }
        }

        int fail(int code, String message) {
            err().println("cell-router admin " + spec.name() + ": " + message);
            err().flush();
            return code;
        }
    }

    /** The operator answered no (or nothing) to a confirmation: nothing was written. */
    static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled(String message) {
            super(message, null, false, false);
        }
    }
}
