package io.cellrouter.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.loadtest.cell.LoadTestCell;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --json} end to end against the load-test cell, and the exit code of bad arguments. */
class RunCommandTest {

    @Test
    void runJson_printsOneSpecShapedObject_andWritesHistogramAndPlot(@TempDir Path dir) throws Exception {
        try (LoadTestCell cell = LoadTestCell.start("cell-j", new InetSocketAddress("127.0.0.1", 0), 1)) {
            Path histogram = dir.resolve("run.hlog");
            Path plot = dir.resolve("run.html");
            PrintStream saved = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                code = Main.commandLine()
                        .execute(
                                "run",
                                "--target",
                                "http://127.0.0.1:" + cell.address().getPort(),
                                "--rate",
                                "200",
                                "--duration",
                                "1s",
                                "--connections",
                                "2",
                                "--customers",
                                "10",
                                "--zipf",
                                "1.2",
                                "--json",
                                "--quiet",
                                "--histogram",
                                histogram.toString(),
                                "--plot",
                                plot.toString());
            } finally {
                System.setOut(saved);
            }

            assertThat(code).isZero();
            String stdout = out.toString(StandardCharsets.UTF_8).strip();
            assertThat(stdout.lines()).hasSize(1);
            JsonNode json = new ObjectMapper().readTree(stdout);
            assertThat(json.get("protocol").asText()).isEqualTo("http1");
            assertThat(json.get("requested_rate").asLong()).isEqualTo(200);
            assertThat(json.get("requests").asLong()).isEqualTo(200);
            assertThat(json.get("achieved_rate").asDouble()).isBetween(190.0, 200.0);
            assertThat(json.get("errors").get("timeout").asLong()).isZero();
            assertThat(json.get("latency_us").get("p50").asLong()).isPositive();
            assertThat(json.get("latency_us").get("max").asLong())
                    .isGreaterThanOrEqualTo(json.get("latency_us").get("p999").asLong());

            assertThat(Files.readString(histogram)).contains("#[StartTime:").contains("\"StartTimestamp\"");
            String html = Files.readString(plot);
            assertThat(html).contains("<svg").contains("polyline").doesNotContain("<script");
        }
    }

    @Test
    void missingRate_exitCode2() {
        assertThat(Main.commandLine().execute("run", "--target", "http://127.0.0.1:1", "--quiet"))
                .isEqualTo(2);
    }

    @Test
    void nonLoopbackTarget_exitCode2() {
        assertThat(Main.commandLine().execute("run", "--target", "http://192.0.2.1:80", "--rate", "1", "--quiet"))
                .isEqualTo(2);
    }
}
