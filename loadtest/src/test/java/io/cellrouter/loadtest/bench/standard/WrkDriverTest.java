package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wrk driver's two runs, against a stand-in for wrk (a shell script that logs each call and
 * prints output recorded from the real wrk): the bench is told the target is warm between them.
 */
class WrkDriverTest {

    @TempDir
    Path dir;

    @Test
    void warmedUp_runsAfterTheWarmUpRun_andBeforeTheMeasuredOne() throws Exception {
        Path calls = dir.resolve("calls.log");
        WrkDriver wrk = new WrkDriver(Optional.of(fakeWrk(calls)));
        List<Integer> callsWhenWarm = new ArrayList<>();

        DriverResult result = wrk.run(new Driver.Run(
                URI.create("http://127.0.0.1:1"),
                "router",
                10,
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                dir,
                () -> callsWhenWarm.add(count(calls))));

        assertThat(callsWhenWarm).as("calls of wrk when the bench was told").containsExactly(1);
        assertThat(Files.readAllLines(calls))
                .hasSize(2)
                .satisfiesExactly(warm -> assertThat(warm).contains("-d2s"), measured -> assertThat(measured)
                        .contains("-d3s"));
        assertThat(result.requestsPerSecond()).isPositive();
    }

    @Test
    void noWarmUp_warmedUpStillRunsBeforeTheMeasuredRun() throws Exception {
        Path calls = dir.resolve("calls.log");
        WrkDriver wrk = new WrkDriver(Optional.of(fakeWrk(calls)));
        List<Integer> callsWhenWarm = new ArrayList<>();

        wrk.run(new Driver.Run(
                URI.create("http://127.0.0.1:1"),
                "router",
                10,
                Duration.ZERO,
                Duration.ofSeconds(3),
                dir,
                () -> callsWhenWarm.add(count(calls))));

        assertThat(callsWhenWarm).containsExactly(0);
        assertThat(Files.readAllLines(calls)).hasSize(1);
    }

    /** How many times the stand-in was called so far. */
    private static int count(Path calls) {
        try {
            return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A script that appends its arguments to {@code calls} and prints a real wrk's output. */
    private Path fakeWrk(Path calls) throws Exception {
        Path output = dir.resolve("wrk-output.txt");
        Files.writeString(output, Samples.read("wrk-router.txt"));
        Path script = dir.resolve("wrk");
        Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + calls + "'\ncat '" + output + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
