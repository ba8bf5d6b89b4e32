package io.cellrouter.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.loadtest.cell.LoadTestCell;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --json} end to end against the load-test cell, and the exit code of bad arguments. */
class RunCommandTest {

    @Test
    void runJson_printsOneObjectOfTheDocumentedShape_andWritesHistogramAndPlot(@TempDir Path dir) throws Exception {
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
    void postFraction_sendsThatShareAsPost_andTheCountingCellTalliesThemByCustomerAndMethod() throws Exception {
        try (LoadTestCell cell = LoadTestCell.start("cell-p", new InetSocketAddress("127.0.0.1", 0), 1, true)) {
            String base = "http://127.0.0.1:" + cell.address().getPort();
            PrintStream saved = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code;
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                code = Main.commandLine()
                        .execute(
                                "run",
                                "--target",
                                base,
                                "--rate",
                                "200",
                                "--duration",
                                "1s",
                                "--connections",
                                "1",
                                "--customers",
                                "1",
                                "--post-fraction",
                                "0.5",
                                "--json",
                                "--quiet");
            } finally {
                System.setOut(saved);
            }

            assertThat(code).isZero();
            JsonNode json = new ObjectMapper()
                    .readTree(out.toString(StandardCharsets.UTF_8).strip());
            assertThat(json.get("requests").asLong()).isEqualTo(200);
            assertThat(json.get("post_fraction").asDouble()).isEqualTo(0.5);
            // every other request of the one connection is a POST: 100 of each
            assertThat(cell.tally().lines()).containsExactly("count c0 GET primary 100", "count c0 POST primary 100");

            HttpResponse<String> tally = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(base + "/.tally")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(tally.statusCode()).isEqualTo(200);
            assertThat(tally.body()).isEqualTo("count c0 GET primary 100\ncount c0 POST primary 100\n");
        }
    }

    @Test
    void postFraction_withAnotherProtocol_exitCode2() {
        assertThat(Main.commandLine()
                        .execute(
                                "run",
                                "--target",
                                "http://127.0.0.1:1",
                                "--rate",
                                "1",
                                "--protocol",
                                "h2c",
                                "--post-fraction",
                                "0.5",
                                "--quiet"))
                .isEqualTo(2);
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
