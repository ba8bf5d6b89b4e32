package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellrouter.router.testing.AdminCalls;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.RouterProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cell-router admin} as operators run it: the jar in its own process, the token in an
 * environment variable, against a running router. Every subcommand, the confirmation of a move at a
 * terminal (and none without one), refused writes (exit 1 with the API's error) and bad arguments (exit 2).
 */
class AdminCommandIT {

    static final String VIEWER = "viewer-token-for-cli-0123";

    @RegisterExtension
    final RouterExtension router =
            new RouterExtension().admin(() -> "  tokens:\n    - {token: " + VIEWER + ", role: viewer}");

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private Run admin(String stdin, String... args) throws IOException, InterruptedException {
        return adminWithEnv("CELL_ROUTER_ADMIN_TOKEN", RouterExtension.ADMIN_TOKEN, stdin, args);
    }

    private Run adminWithEnv(String envName, String token, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", // a short-lived command: start fast rather than peak
                "-jar",
                RouterProcess.JAR.toAbsolutePath().toString(),
                "admin",
                "--url",
                "http://127.0.0.1:" + router.server().adminAddress().getPort()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("CELL_ROUTER_ADMIN_TOKEN");
        builder.environment().put(envName, token);
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("cell-router admin did not exit: " + String.join(" ", args));
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * The command as a person runs it: stdin and stdout on a terminal, made by util-linux {@code
     * script} (a pseudo-terminal; {@code -e} returns the command's exit code). What is typed goes in
     * through the terminal, which echoes it; stdout and stderr both come out of it, in {@code out}.
     */
    private Run adminAtATerminal(String typed, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-jar",
                RouterProcess.JAR.toAbsolutePath().toString(),
                "admin",
                "--url",
                "http://127.0.0.1:" + router.server().adminAddress().getPort()));
        command.addAll(List.of(args));
        String line = command.stream()
                .map(word -> "'" + word.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
        Path out = Files.createTempFile(dir, "out", ".txt");
        ProcessBuilder builder = new ProcessBuilder("script", "--quiet", "--return", "--command", line, "/dev/null")
                .redirectOutput(out.toFile())
                .redirectErrorStream(true);
        builder.environment().put("CELL_ROUTER_ADMIN_TOKEN", RouterExtension.ADMIN_TOKEN);
        builder.environment().put("SHELL", "/bin/sh");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError("this test needs util-linux script (Debian package bsdutils) on the PATH", e);
        }
        try (var in = process.getOutputStream()) {
            in.write(typed.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("cell-router admin did not exit: " + String.join(" ", args));
        }
        return new Run(process.exitValue(), Files.readString(out), "");
    }

    private String servedBy(String customer) throws Exception {
        return router.get(customer, "/x").headers().firstValue("x-served-by").orElse(null);
    }

    @Test
    void cells_tableWithStateMetadataAndCustomerCount_andJson() throws Exception {
        Run table = admin(null, "cells");
        Run json = admin(null, "cells", "--json");

        assertThat(table.exit()).isZero();
        assertThat(table.out().lines().toList())
                .first()
                .asString()
                .startsWith("CELL")
                .contains("STATE", "REGION", "TIER", "CUSTOMERS");
        assertThat(table.out()).containsPattern("cell-1\\s+active\\s+eu-west-1\\s+prod\\s+2\\s");
        assertThat(table.out()).containsPattern("cell-2\\s+active\\s+-\\s+-\\s+1\\s");
        assertThat(json.exit()).isZero();
        JsonNode cells = AdminCalls.json(json.out()).get("cells");
        assertThat(cells).hasSize(2);
        assertThat(cells.get(0).get("customerCount").asLong()).isEqualTo(2);
    }

    @Test
    void cell_showsOneCell_andStateChangesOnlyTheState() throws Exception {
        Run show = admin(null, "cell", "cell-1");
        Run drain = admin(null, "cell", "cell-1", "--state", "draining");

        assertThat(show.exit()).isZero();
        assertThat(show.out()).containsPattern("state\\s+active").containsPattern("customers\\s+2");
        assertThat(drain.exit()).isZero();
        assertThat(drain.out()).containsPattern("state\\s+draining").containsPattern("region\\s+eu-west-1");
        assertThat(AdminCalls.of(router, RouterExtension.ADMIN_TOKEN)
                        .getJson("/admin/v1/cells/cell-1")
                        .get("tier")
                        .asText())
                .isEqualTo("prod");
    }

    @Test
    void customers_byCell_pagesWithAll_andCustomerShowsOne() throws Exception {
        Run firstPage = admin(null, "customers", "--cell", "cell-1", "--limit", "1");
        Run all = admin(null, "customers", "--cell", "cell-1", "--limit", "1", "--all", "--json");
        Run one = admin(null, "customer", "globex");

        assertThat(firstPage.exit()).isZero();
        assertThat(firstPage.out()).contains("acme").doesNotContain("initech");
        assertThat(firstPage.err()).contains("more: --cursor ");
        assertThat(AdminCalls.json(all.out()).get("customers"))
                .extracting(c -> c.get("customer").asText())
                .containsExactly("acme", "initech");
        assertThat(one.exit()).isZero();
        assertThat(one.out()).containsPattern("cell\\s+cell-2").containsPattern("version\\s+1");
    }

    @Test
    void move_atATerminal_dryRunWritesNothing_noAtThePromptWritesNothing_yesMoves() throws Exception {
        Run dry = admin(null, "move", "acme", "--to", "cell-2", "--dry-run");
        Run declined = adminAtATerminal("n\n", "move", "acme", "--to", "cell-2");
        Run noAnswer = adminAtATerminal("", "move", "acme", "--to", "cell-2");

        assertThat(dry.exit()).isZero();
        assertThat(dry.out()).contains("dry run: move acme from cell-1 to cell-2 (version 1 -> 2)");
        assertThat(declined.exit()).as(declined.out()).isEqualTo(1);
        assertThat(declined.out()).contains("dry run: move acme", "[y/N]", "nothing was moved");
        assertThat(noAnswer.exit()).as(noAnswer.out()).isEqualTo(1);
        assertThat(servedBy("acme")).isEqualTo("cell-1");

        Run confirmed = adminAtATerminal("y\n", "move", "acme", "--to", "cell-2");

        assertThat(confirmed.exit()).as(confirmed.out()).isZero();
        assertThat(confirmed.out()).contains("[y/N]", "moved acme: cell-1 -> cell-2, version 2");
        assertThat(servedBy("acme")).isEqualTo("cell-2");
    }

    /** From a script (no terminal, whatever is on stdin) a move needs no --yes: no one is there to answer. */
    @Test
    void move_withoutATerminalOrYes_movesWithoutAsking_andExits0() throws Exception {
        Run closedStdin = admin("", "move", "acme", "--to", "cell-2");

        assertThat(closedStdin.exit()).as(closedStdin.err()).isZero();
        assertThat(closedStdin.out()).contains("moved acme: cell-1 -> cell-2, version 2");
        assertThat(closedStdin.err()).doesNotContain("[y/N]");
        assertThat(servedBy("acme")).isEqualTo("cell-2");

        Run pipedNo = admin("n\n", "move", "acme", "--to", "cell-1");

        assertThat(pipedNo.exit()).as(pipedNo.err()).isZero();
        assertThat(pipedNo.out()).contains("moved acme: cell-2 -> cell-1, version 3");
        assertThat(servedBy("acme")).isEqualTo("cell-1");
    }

    @Test
    void move_withYesAndFreeze_thenAgainToTheSameCell_isRefusedWithTheApisError() throws Exception {
        Run moved = admin(null, "move", "initech", "--to", "cell-2", "--freeze-for", "1s", "--yes");
        Run again = admin(null, "move", "initech", "--to", "cell-2", "--yes");

        assertThat(moved.exit()).isZero();
        assertThat(moved.out()).contains("moved initech: cell-1 -> cell-2").contains("frozen until");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("refused: 409 already_there").contains("already on cell cell-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> "cell-2".equals(servedBy("initech")));
    }

    @Test
    void override_freezeThenRemove_andResolveShowsTheSource() throws Exception {
        Run freeze = admin(null, "override", "globex", "--freeze", "--ttl", "10m", "--reason", "copying data");
        Run resolved = admin(null, "resolve", "globex");
        int frozenStatus = router.get("globex", "/x").statusCode();
        Run removed = admin(null, "override", "globex", "--remove");
        Run toCell = admin(null, "override", "globex", "--cell", "cell-1", "--ttl", "5m", "--json");

        assertThat(freeze.exit()).isZero();
        assertThat(freeze.out()).contains("override of globex: freeze until").contains("(copying data)");
        assertThat(resolved.out()).containsPattern("outcome\\s+frozen").containsPattern("source\\s+override");
        assertThat(frozenStatus).isEqualTo(503);
        assertThat(removed.exit()).isZero();
        assertThat(toCell.exit()).isZero();
        assertThat(AdminCalls.json(toCell.out()).get("override").get("cell").asText())
                .isEqualTo("cell-1");
        assertThat(servedBy("globex")).isEqualTo("cell-1");
    }

    @Test
    void shadow_setShownWithTheCustomerThenRemoved_andBadArgumentsExit2() throws Exception {
        Run set = admin(
                null,
                "shadow",
                "acme",
                "--to",
                "cell-2",
                "--fraction",
                "0.25",
                "--ttl",
                "30m",
                "--methods",
                "GET,POST");
        Run shown = admin(null, "customer", "acme");
        Run json = admin(null, "--json", "customer", "acme");
        Run removed = admin(null, "shadow", "acme", "--remove");
        Run again = admin(null, "shadow", "acme", "--remove");

        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("shadow of acme: 25% of GET,POST to cell-2 until");
        assertThat(shown.out()).containsPattern("shadow\\s+25% of GET,POST to cell-2 until");
        assertThat(AdminCalls.json(json.out()).get("shadow").get("fraction").asDouble())
                .isEqualTo(0.25);
        assertThat(removed.exit()).isZero();
        assertThat(removed.out()).contains("removed the shadow of acme");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("404 not_found").contains("has no shadow");
        assertThat(admin(null, "shadow", "acme", "--to", "cell-2", "--ttl", "1m")
                        .exit())
                .isEqualTo(2); // --fraction missing
        assertThat(admin(null, "shadow", "acme", "--to", "cell-2", "--fraction", "2", "--ttl", "1m")
                        .exit())
                .isEqualTo(2);
        assertThat(admin(null, "shadow", "acme", "--remove", "--to", "cell-2").exit())
                .isEqualTo(2);
    }

    @Test
    void stats_tableOfLiveTrafficPerCell() throws Exception {
        for (int i = 0; i < 20; i++) {
            router.get("acme", "/x");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Run stats = admin(null, "stats", "--json");
            assertThat(stats.exit()).isZero();
            JsonNode cell1 = AdminCalls.json(stats.out()).get("cells").get(0);
            assertThat(cell1.get("requests").asLong()).isEqualTo(20);
        });
        Run table = admin(null, "stats");
        assertThat(table.out()).containsPattern("cell-1\\s+2\\.0\\s+0\\.0%");
    }

    @Test
    void viewerToken_writeIsRefusedWithExit1AndTheApisError_readsWork() throws Exception {
        Run read = adminWithEnv("VIEWER_TOKEN", VIEWER, null, "--token-env", "VIEWER_TOKEN", "customers");
        Run write = adminWithEnv(
                "VIEWER_TOKEN",
                VIEWER,
                null,
                "--token-env",
                "VIEWER_TOKEN",
                "override",
                "acme",
                "--freeze",
                "--ttl",
                "1m");

        assertThat(read.exit()).isZero();
        assertThat(write.exit()).isEqualTo(1);
        assertThat(write.err()).contains("refused: 403 forbidden").doesNotContain(VIEWER);
        assertThat(servedBy("acme")).isEqualTo("cell-1");
    }

    @Test
    void badArguments_exit2_andNothingIsSent() throws Exception {
        assertThat(admin(null, "move", "acme").exit()).isEqualTo(2); // --to missing
        assertThat(admin(null, "move", "acme", "--to", "cell-2", "--freeze-for", "soon")
                        .exit())
                .isEqualTo(2);
        assertThat(admin(null, "override", "acme", "--freeze").exit()).isEqualTo(2); // --ttl missing
        assertThat(admin(null, "override", "acme", "--freeze", "--cell", "cell-2", "--ttl", "1m")
                        .exit())
                .isEqualTo(2);
        assertThat(admin(null, "customer", "no/such").exit()).isEqualTo(2);
        assertThat(admin(null, "cell", "cell-1", "--state", "sleeping").exit()).isEqualTo(2);
        assertThat(admin(null, "nosuchcommand").exit()).isEqualTo(2);
        assertThat(servedBy("acme")).isEqualTo("cell-1");
    }

    /**
     * A token read from a file keeps its last line break ({@code TOKEN=$(cat file)} drops it, an
     * env var from a Kubernetes Secret does not): that is dropped. One with a space or control
     * character inside cannot be a bearer token: exit 2, and the message never shows it.
     */
    @Test
    void tokenWithItsFilesNewline_works_andABrokenTokenIsNeverPrinted() throws Exception {
        Run newline = adminWithEnv("CELL_ROUTER_ADMIN_TOKEN", RouterExtension.ADMIN_TOKEN + "\n", null, "cells");
        Run broken = adminWithEnv("CELL_ROUTER_ADMIN_TOKEN", "first-half-01234567\nsecond-half-89", null, "cells");

        assertThat(newline.exit()).as(newline.err()).isZero();
        assertThat(newline.out()).contains("cell-1");
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.err()).contains("CELL_ROUTER_ADMIN_TOKEN").doesNotContain("half");
    }

    @Test
    void noTokenInTheEnvironment_401_saysWhichVariableIsEmpty() throws Exception {
        Run none = adminWithEnv("MY_ADMIN_TOKEN", "", null, "--token-env", "MY_ADMIN_TOKEN", "cells");

        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("401 unauthorized").contains("$MY_ADMIN_TOKEN is not set or empty");
    }

    @Test
    void missingOrWrongToken_andNoRouter_exit1() throws Exception {
        Run wrong = adminWithEnv("CELL_ROUTER_ADMIN_TOKEN", "not-the-token-0123456789", null, "cells");
        Run notFound = admin(null, "customer", "nobody");
        Run unreachable = admin(null, "cells", "--url", "http://127.0.0.1:" + RouterProcess.freePort());

        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("401 unauthorized").doesNotContain("is not set or empty");
        assertThat(notFound.exit()).isEqualTo(1);
        assertThat(notFound.err()).contains("404 not_found");
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach the admin API");
    }
}
