package io.cellrouter.router.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The writing subcommands of {@code cell-router admin}: {@code move}, {@code override} and {@code shadow}. */
final class AdminChanges {

    private AdminChanges() {}

    @Command(
            name = "move",
            mixinStandardHelpOptions = true,
            description = {
                "Move a customer to another cell. At a terminal, shows the dry run first and asks before writing",
                "(unless --yes); without a terminal (a script, a pipeline) it moves without asking.",
                "The move is conditional on the version the dry run saw: a change in between is refused (409)."
            })
    static final class Move extends AdminCommand.Subcommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The customer.")
        String id;

        @Option(names = "--to", required = true, paramLabel = "CELL", description = "The cell to move it to.")
        String to;

        @Option(
                names = "--freeze-for",
                paramLabel = "D",
                description = "Hold the customer (503 customer_frozen) for this long while its data moves, e.g. 5m.")
        String freezeFor;

        @Option(names = "--dry-run", description = "Only show what the move would do.")
        boolean dryRun;

        @Option(
                names = {"-y", "--yes"},
                description = "Do not ask for confirmation, even at a terminal.")
        boolean yes;

        @Override
        void run(AdminClient client) {
            String customer = AdminCommand.name(id, "ID");
            ObjectNode body = AdminClient.JSON.createObjectNode().put("toCell", AdminCommand.name(to, "--to"));
            if (freezeFor != null) {
                body.put("freezeFor", AdminCommand.duration(freezeFor, "--freeze-for"));
            }
            String path = "admin/v1/customers/" + customer + "/move";
            JsonNode plan = client.send("POST", path + "?dryRun=true", body);
            if (dryRun) {
                if (json()) {
                    printJson(plan);
                } else {
                    describe(plan);
                }
                return;
            }
            // A script has no one to answer: it runs the move as if --yes was given.
            if (!yes && interactive()) {
                describe(plan);
                confirm("Move " + customer + " from " + plan.get("fromCell").asText() + " to "
                        + plan.get("toCell").asText() + "? [y/N] ");
            }
            body.put("expectedVersion", plan.get("version").asLong());
            JsonNode moved = client.send("POST", path, body);
            if (json()) {
                printJson(moved);
                return;
            }
            out().println("moved " + customer + ": " + moved.get("fromCell").asText() + " -> "
                    + moved.get("toCell").asText() + ", version "
                    + moved.get("version").asLong()
                    + (moved.hasNonNull("frozenUntil")
                            ? ", frozen until " + moved.get("frozenUntil").asText()
                            : ""));
            out().flush();
        }

        /** The dry run, for people (on stdout with --dry-run, before the question otherwise). */
        private void describe(JsonNode plan) {
            var to = dryRun ? out() : err();
            to.println("dry run: move " + plan.get("customer").asText() + " from "
                    + plan.get("fromCell").asText()
                    + " to " + plan.get("toCell").asText() + " (version "
                    + plan.get("version").asLong() + " -> "
                    + plan.get("nextVersion").asLong() + ")");
            to.println("  override now: " + valueOr(AdminReads.override(plan.get("override")), "none"));
            if (plan.hasNonNull("freezeFor")) {
                to.println("  freeze: " + freezeFor + " of 503 customer_frozen, then traffic goes to "
                        + plan.get("toCell").asText());
            }
            to.flush();
        }

        private void confirm(String question) {
            err().print(question);
            err().flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null) {
                throw new AdminCommand.Cancelled(
                        "no answer on stdin: nothing was moved (use --yes to skip the question)");
            }
            String word = answer.trim().toLowerCase(Locale.ROOT);
            if (!word.equals("y") && !word.equals("yes")) {
                throw new AdminCommand.Cancelled("not confirmed: nothing was moved");
            }
        }

        /**
         * Whether a person may be there to answer: stdin is a terminal (stdout may be piped, as in
         * {@code cell-router admin move ... | tee log}). The JDK has no call for it: Linux names the file
         * behind {@code /proc/self/fd/0}; other Unix systems answer with {@code test -t 0} on the same
         * stdin; without a shell (Windows) a console stands for it, and when in doubt we ask.
         */
        @SuppressWarnings("SystemConsoleNull") // only the last resort; a JDK 22+ console errs on asking
        private static boolean interactive() {
            Path stdin = Path.of("/proc/self/fd/0");
            try {
                if (Files.exists(stdin, LinkOption.NOFOLLOW_LINKS)) {
                    String file = Files.readSymbolicLink(stdin).toString();
                    return file.startsWith("/dev/pts/") || file.startsWith("/dev/tty") || file.equals("/dev/console");
                }
            } catch (IOException | UnsupportedOperationException e) {
                // Not the Linux /proc: ask the shell.
            }
            try {
                Process test = new ProcessBuilder("sh", "-c", "test -t 0")
                        .redirectInput(Redirect.INHERIT)
                        .redirectOutput(Redirect.DISCARD)
                        .redirectError(Redirect.DISCARD)
                        .start();
                return test.waitFor() == 0;
            } catch (IOException e) {
                return System.console() != null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        private static String valueOr(String value, String fallback) {
            return value == null ? fallback : value;
        }
    }

    @Command(
            name = "override",
            mixinStandardHelpOptions = true,
            description = {
                "Route a customer to another cell (--cell) or hold it (--freeze) until --ttl has passed;",
                "--remove ends its override now."
            })
    static final class OverrideCommand extends AdminCommand.Subcommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The customer.")
        String id;

        @ArgGroup(multiplicity = "1")
        What what;

        static final class What {
            @Option(names = "--cell", paramLabel = "C", description = "Route the customer to this cell.")
            String cell;

            @Option(names = "--freeze", description = "Hold the customer: 503 customer_frozen with Retry-After.")
            boolean freeze;

            @Option(names = "--remove", description = "Remove the customer's override.")
            boolean remove;
        }

        @Option(names = "--ttl", paramLabel = "D", description = "How long the override lasts, e.g. 30m (at most 30d).")
        String ttl;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log and the console.")
        String reason;

        @Override
        void run(AdminClient client) {
            String customer = AdminCommand.name(id, "ID");
            String path = "admin/v1/overrides/" + customer;
            if (what.remove) {
                if (ttl != null || reason != null) {
                    throw new AdminCommand.BadArgument("--remove takes no --ttl or --reason");
                }
                JsonNode removed = client.send("DELETE", path, null);
                print(removed, "removed the override of " + customer);
                return;
            }
            if (ttl == null) {
                throw new AdminCommand.BadArgument("--ttl is required with --cell or --freeze");
            }
            ObjectNode body = AdminClient.JSON.createObjectNode();
            if (what.freeze) {
                body.put("freeze", true);
            } else {
                body.put("cell", AdminCommand.name(what.cell, "--cell"));
            }
            body.put("ttl", AdminCommand.duration(ttl, "--ttl"));
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode set = client.send("PUT", path, body);
            print(set, "override of " + customer + ": " + AdminReads.override(set.get("override")));
        }
    }

    @Command(
            name = "shadow",
            mixinStandardHelpOptions = true,
            description = {
                "Copy a fraction of a customer's requests (GET and HEAD unless --methods) to another cell until --ttl",
                "has passed, and compare its answers with the primary's; --remove ends the shadow now."
            })
    static final class ShadowCommand extends AdminCommand.Subcommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The customer.")
        String id;

        @Option(names = "--to", paramLabel = "CELL", description = "The cell that receives the copies.")
        String to;

        @Option(
                names = "--fraction",
                paramLabel = "F",
                description = "The share of the customer's requests copied: above 0, at most 1, e.g. 0.1.")
        Double fraction;

        @Option(names = "--ttl", paramLabel = "D", description = "How long the shadow lasts, e.g. 2h (at most 7d).")
        String ttl;

        @Option(
                names = "--methods",
                split = ",",
                paramLabel = "M",
                description = "The HTTP methods copied, comma-separated. Default: GET,HEAD.")
        java.util.List<String> methods;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit log.")
        String reason;

        @Option(names = "--remove", description = "End the customer's shadow now.")
        boolean remove;

        @Override
        void run(AdminClient client) {
            String customer = AdminCommand.name(id, "ID");
            String path = "admin/v1/customers/" + customer + "/shadow";
            if (remove) {
                if (to != null || fraction != null || ttl != null || methods != null || reason != null) {
                    throw new AdminCommand.BadArgument("--remove takes no other option");
                }
                JsonNode removed = client.send("DELETE", path, null);
                print(removed, "removed the shadow of " + customer);
                return;
            }
            if (to == null || fraction == null || ttl == null) {
                throw new AdminCommand.BadArgument("--to, --fraction and --ttl are required (or --remove)");
            }
            if (!(fraction > 0 && fraction <= 1)) {
                throw new AdminCommand.BadArgument("--fraction must be above 0 and at most 1, was " + fraction);
            }
            ObjectNode body = AdminClient.JSON
                    .createObjectNode()
                    .put("toCell", AdminCommand.name(to, "--to"))
                    .put("fraction", fraction)
                    .put("ttl", AdminCommand.duration(ttl, "--ttl"));
            if (methods != null) {
                var list = body.putArray("methods");
                methods.forEach(list::add);
            }
            if (reason != null) {
                body.put("reason", reason);
            }
            JsonNode set = client.send("PUT", path, body);
            print(set, "shadow of " + customer + ": " + AdminReads.shadow(set.get("shadow")));
        }
    }
}
