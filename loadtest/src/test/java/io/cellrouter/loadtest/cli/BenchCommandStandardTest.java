package io.cellrouter.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.loadtest.bench.standard.StandardBench;
import io.cellrouter.loadtest.bench.standard.StandardLoad;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --drivers standard}: parsing and validation of its options (nothing is started). */
class BenchCommandStandardTest {

    @TempDir
    Path dir;

    private Path jar;

    @BeforeEach
    void routerJar() throws Exception {
        jar = Files.writeString(dir.resolve("cell-router.jar"), "not run");
    }

    private BenchCommand parse(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private StandardBench.Settings settings(String... args) {
        BenchCommand command = parse(args);
        assertThat(command.drivers()).contains("standard");
        return StandardBenchRun.settings(command, command.routerJar());
    }

    @Test
    void defaults_allFourLoads_1000Customers_3sWarmup_10sMeasured() {
        StandardBench.Settings s = settings("--drivers", "standard", "--router-jar", jar.toString());

        assertThat(s.loads())
                .containsExactly(
                        StandardLoad.GRPC_UNARY, StandardLoad.GRPC_STREAMING, StandardLoad.H2C, StandardLoad.HTTP1);
        assertThat(s.customers()).isEqualTo(1000);
        assertThat(s.warmup()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.compare()).isEmpty();
        assertThat(s.routerJvmArgs()).containsExactly("-Xms512m", "-Xmx512m");
        assertThat(s.routerJar()).isEqualTo(jar.toAbsolutePath());
    }

    @Test
    void theFullComparison_asDocumented() {
        StandardBench.Settings s = settings(
                "--drivers", "standard", "--compare", "nginx,haproxy", "--router-jar", jar.toString(), "--json");

        assertThat(s.compare()).containsExactly("nginx", "haproxy");
    }

    @Test
    void loadsDurationsAndCustomers_asGiven() {
        StandardBench.Settings s = settings(
                "--drivers=standard",
                "--loads=http1,grpc-streaming",
                "--warmup=0s",
                "--probe=2s",
                "--customers=50",
                "--proxy-workers=1",
                "--keep-files",
                "--router-jar",
                jar.toString());

        assertThat(s.loads()).containsExactly(StandardLoad.HTTP1, StandardLoad.GRPC_STREAMING);
        assertThat(s.warmup()).isZero();
        assertThat(s.duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.customers()).isEqualTo(50);
        assertThat(s.proxyWorkers()).isEqualTo(1);
        assertThat(s.keepFiles()).isTrue();
    }

    @Test
    void bothDrivers_areAccepted_ownStaysTheDefault() {
        assertThat(parse("--drivers", "own,standard").drivers()).containsExactly("own", "standard");
        assertThat(parse().drivers()).containsExactly("own");
    }

    @Test
    void unknownLoad_namesItAndTheChoices() {
        assertThatThrownBy(
                        () -> settings("--drivers", "standard", "--loads", "h2c,http3", "--router-jar", jar.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--loads: unknown load 'http3' (grpc-unary, grpc-streaming, h2c, http1)");
    }

    @Test
    void relayPeer_isNotComparedWithTheStandardClients() {
        assertThatThrownBy(
                        () -> settings("--drivers", "standard", "--compare", "relay", "--router-jar", jar.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'relay' is not compared with --drivers standard (nginx, haproxy)");
    }

    @Test
    void fractionalSeconds_areRejected_theClientsCountInSeconds() {
        assertThatThrownBy(() -> settings("--drivers", "standard", "--probe", "1500ms", "--router-jar", jar.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--probe must be whole seconds")
                .hasMessageContaining("1500ms");
    }

    @Test
    void rounds_defaultsToOne_andIsTakenAsGiven() {
        assertThat(settings("--drivers", "standard", "--router-jar", jar.toString())
                        .rounds())
                .isEqualTo(1);
        assertThat(settings("--drivers=standard", "--rounds=3", "--router-jar", jar.toString())
                        .rounds())
                .isEqualTo(3);
        assertThat(settings("--drivers", "standard", "--rounds", "9", "--router-jar", jar.toString())
                        .rounds())
                .isEqualTo(9);
    }

    @Test
    void rounds_outsideOneToNine_areRejected_namingTheOptionAndTheValue() {
        for (String bad : List.of("0", "10", "-2")) {
            assertThatThrownBy(() -> settings("--drivers", "standard", "--rounds", bad, "--router-jar", jar.toString()))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--rounds must be in [1, 9], was " + bad);
        }
    }

    @Test
    void rounds_withTheOwnDriverAlone_isRefused_unlessOne() {
        BenchCommand own = parse("--drivers", "own", "--rounds", "3");
        assertThatThrownBy(() -> own.refuseRoundsWithoutStandard(own.drivers()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--rounds 3: only --drivers standard runs rounds");

        BenchCommand ownOnce = parse("--drivers", "own", "--rounds", "1");
        ownOnce.refuseRoundsWithoutStandard(ownOnce.drivers());
        BenchCommand both = parse("--drivers", "own,standard", "--rounds", "3");
        both.refuseRoundsWithoutStandard(both.drivers());
        assertThat(StandardBenchRun.settings(both, jar).rounds()).isEqualTo(3);
    }

    @Test
    void rounds_refusals_exitWith2_andSayWhy() {
        for (List<String> args : List.of(
                List.of("bench", "--drivers", "own", "--rounds", "2", "--router-jar", jar.toString()),
                List.of("bench", "--drivers", "standard", "--rounds", "0", "--router-jar", jar.toString()),
                List.of("bench", "--drivers", "standard", "--rounds", "x", "--router-jar", jar.toString()))) {
            CommandLine cli = Main.commandLine();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            cli.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));

            assertThat(cli.execute(args.toArray(String[]::new))).as("%s", args).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as("%s", args).contains("--rounds");
        }
    }

    @Test
    void badArguments_exitWith2_andSayWhy() {
        for (List<String> args : List.of(
                List.of("bench", "--drivers", "fast", "--router-jar", jar.toString()),
                List.of("bench", "--drivers", "standard", "--loads", "grpc", "--router-jar", jar.toString()),
                List.of("bench", "--drivers", "standard", "--loads", "h2c,h2c", "--router-jar", jar.toString()),
                List.of("bench", "--drivers", "standard", "--customers", "0", "--router-jar", jar.toString()),
                List.of(
                        "bench",
                        "--drivers",
                        "standard",
                        "--router-jar",
                        dir.resolve("absent.jar").toString()))) {
            CommandLine cli = Main.commandLine();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            cli.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));

            assertThat(cli.execute(args.toArray(String[]::new))).as("%s", args).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).as("%s", args).startsWith("error: ");
        }
    }
}
