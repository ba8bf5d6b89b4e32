package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fat jar's command line: exit codes and messages of README: Operations, and the commands' --help. */
class CommandLineIT {

    @TempDir
    Path dir;

    @Test
    void unknownConfigKey_exits2NamingTheKey() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "proxy:\n  listen: 127.0.0.1:0\n  lisen: 127.0.0.1:1\n");

        RouterProcess.Result result = RouterProcess.run(dir, "serve", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("config.yaml").contains("proxy.lisen");
    }

    @Test
    void badConfigValue_exits2NamingKeyAndValue() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "cache:\n  refreshAfter: ten minutes\n");

        RouterProcess.Result result = RouterProcess.run(dir, "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("cache.refreshAfter").contains("ten minutes");
    }

    @Test
    void missingConfigFile_exits2() throws Exception {
        RouterProcess.Result result = RouterProcess.run(dir, "serve", "--config", "nope.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("nope.yaml");
    }

    @Test
    void unknownOption_exits2() throws Exception {
        assertThat(RouterProcess.run(dir, "serve", "--bogus").exitCode()).isEqualTo(2);
    }

    @Test
    void help_exits0AndListsCommands() throws Exception {
        RouterProcess.Result result = RouterProcess.run(dir, "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("serve").contains("demo");
    }

    @Test
    void portTaken_exits1NamingListenerAndAddress() throws Exception {
        try (TestCell cell = TestCell.start("cell-1");
                ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            RouterProcess.oneCell(dir, cell, "", "");
            String config = Files.readString(dir.resolve("config.yaml"))
                    .replaceFirst(
                            "admin:\n  listen: 127\\.0\\.0\\.1:\\d+",
                            "admin:\n  listen: 127.0.0.1:" + taken.getLocalPort());
            Files.writeString(dir.resolve("config.yaml"), config);

            RouterProcess.Result result = RouterProcess.run(dir, "serve", "--config", "config.yaml");

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.stderr())
                    .contains("admin.listen")
                    .contains("127.0.0.1:" + taken.getLocalPort())
                    .contains("Address already in use");
        }
    }

    @Test
    void sigterm_drainsAndExits0() throws Exception {
        try (TestCell cell = TestCell.start("cell-1")) {
            RouterProcess.Setup setup = RouterProcess.oneCell(dir, cell, "", "");
            int proxyPort = setup.proxyPort();
            int adminPort = setup.adminPort();
            try (RouterProcess router = RouterProcess.start(dir, List.of(), "serve", "--config", "config.yaml")) {
                router.awaitReady(adminPort);
                HttpResponse<String> response = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/x"))
                                        .header("x-customer-id", "acme")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);

                router.process().destroy(); // SIGTERM

                assertThat(router.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(router.process().exitValue()).isZero();
                assertThat(router.stderr()).contains("started").contains("draining");
                assertThat(router.stdout()).contains("\"customer\":\"acme\"").contains("\"cell\":\"cell-1\"");
            }
        }
    }
}
