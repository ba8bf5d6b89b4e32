package io.cellrouter.router;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.router.testing.ExternalTools;
import io.cellrouter.router.testing.RouterExtension;
import io.cellrouter.router.testing.WireMockCell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Expect: 100-continue}, as curl sends it before a large body: the cell's {@code 100
 * Continue} reaches the client through the router, so the client sends its body at once rather
 * than after its own wait, and the body reaches the cell whole. When the router answers itself (an
 * unknown customer), the client never sends the body and nothing reaches a cell.
 *
 * <p>curl waits up to {@code --expect100-timeout} (20 s here) for the 100 before it sends the body
 * anyway, so an answer within a few seconds shows the 100 came through.
 */
@Timeout(120)
class ExpectContinueIT {

    private static final int BODY_BYTES = 2 << 20;
    private static final long CURL_WAIT_SECONDS = 20;

    private static WireMockCell wiremock;

    @BeforeAll
    static void startCell() {
        wiremock = WireMockCell.start("wm");
        wiremock.stub(post(urlEqualTo("/upload"))
                .willReturn(aResponse().withStatus(200).withBody("stored")));
    }

    @AfterAll
    static void stopCell() {
        wiremock.close();
    }

    @RegisterExtension
    final RouterExtension router = new RouterExtension("", r -> wiremock.registryYaml(), "  bob: wm\n");

    @TempDir
    Path dir;

    @Test
    void curlUpload_getsTheCellsContinue_andSendsItsBodyAtOnce() throws Exception {
        wiremock.server().resetRequests();
        Curl curl = curl("bob");

        assertThat(curl.output()).contains("< HTTP/1.1 100").contains("< HTTP/1.1 200");
        assertThat(curl.status()).isEqualTo(200);
        assertThat(curl.seconds())
                .as("the 100 came through: curl did not wait it out")
                .isLessThan(10);
        List<LoggedRequest> uploads = wiremock.received();
        assertThat(uploads).hasSize(1);
        assertThat(uploads.get(0).getBody()).hasSize(BODY_BYTES);
        assertThat(uploads.get(0).getHeader("Expect")).isEqualToIgnoringCase("100-continue");
    }

    @Test
    void routersOwnAnswer_toAnExpectingClient_comesBeforeTheBody_andNothingReachesTheCell() throws Exception {
        wiremock.server().resetRequests();
        Curl curl = curl("nobody");

        assertThat(curl.status()).isEqualTo(404);
        assertThat(curl.output()).doesNotContain("< HTTP/1.1 100");
        assertThat(curl.seconds()).as("answered without waiting for the body").isLessThan(10);
        assertThat(wiremock.received()).isEmpty();
    }

    private record Curl(String output, int status, double seconds) {}

    /** curl POSTs the body as {@code customer}, verbose, and prints the status and the time taken last. */
    private Curl curl(String customer) throws Exception {
        byte[] bytes = new byte[BODY_BYTES];
        Arrays.fill(bytes, (byte) 'x');
        Path body = Files.write(dir.resolve("body.bin"), bytes);
        List<String> command = new ArrayList<>(List.of(
                ExternalTools.require("curl", "curl").toString(),
                "-sS",
                "-v",
                "--http1.1",
                "--expect100-timeout",
                String.valueOf(CURL_WAIT_SECONDS),
                "-H",
                "x-customer-id: " + customer,
                "-H",
                "Expect: 100-continue",
                "--data-binary",
                "@" + body,
                "-o",
                dir.resolve("answer").toString(),
                "-w",
                "\nRESULT %{http_code} %{time_total}\n",
                router.proxy("/upload").toString()));
        ExternalTools.Result result = ExternalTools.run(dir, command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        String last = result.output()
                .lines()
                .filter(line -> line.startsWith("RESULT "))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no RESULT line in " + result.output()));
        String[] fields = last.split(" ");
        return new Curl(result.output(), Integer.parseInt(fields[1]), Double.parseDouble(fields[2]));
    }
}
