package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cell-router demo} as its banner invites: the registry file it prints can be edited while
 * it runs, and removing one of its four customers is taken (not refused as too many removals).
 */
class DemoCommandIT {

    private static final Pattern REGISTRY_FILE = Pattern.compile("registry file (\\S+)");

    @TempDir
    Path dir;

    @Test
    void demo_removingOneCustomerFromItsRegistryFile_isFollowedWithoutARestart() throws Exception {
        int proxyPort = RouterProcess.freePort();
        int adminPort = RouterProcess.freePort();
        // The demo writes its registry under java.io.tmpdir: here, in the test's own folder.
        try (RouterProcess demo = RouterProcess.start(
                dir,
                List.of("-Djava.io.tmpdir=" + dir),
                "demo",
                "--port",
                String.valueOf(proxyPort),
                "--admin-port",
                String.valueOf(adminPort))) {
            demo.awaitReady(adminPort);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> REGISTRY_FILE.matcher(demo.stdout()).find());
            Matcher printed = REGISTRY_FILE.matcher(demo.stdout());
            assertThat(printed.find()).isTrue();
            Path registry = Path.of(printed.group(1));
            assertThat(status(proxyPort, "umbrella")).isEqualTo(200);

            String before = Files.readString(registry);
            assertThat(before).contains("  umbrella: cell-2\n");
            Files.writeString(registry, before.replace("  umbrella: cell-2\n", ""));

            await().atMost(Duration.ofSeconds(15)).until(() -> status(proxyPort, "umbrella") == 404);
            assertThat(status(proxyPort, "globex")).isEqualTo(200);
        }
    }

    private static int status(int proxyPort, String customer) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/hello"))
                .header("x-customer-id", customer)
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
