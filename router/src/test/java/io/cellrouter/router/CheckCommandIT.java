package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cell-router check --config FILE}: every problem of the configuration and of the registry
 * it names, one per line, secrets redacted, exit 2; and {@code serve} refusing the same before it
 * binds a port.
 */
class CheckCommandIT {

    /** Short enough to be refused, so that the refusal must not print it. */
    private static final String SHORT_TOKEN = "s3cr3t-t0ken";

    private static final String REGISTRY =
            """
            cells:
              - name: cell-1
                endpoint: http://127.0.0.1:8081
            customers:
              acme: cell-1
            """;

    @TempDir
    Path dir;

    @Test
    void check_sixMistakes_printsSixLinesAndExits2WithoutSecrets() throws Exception {
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        Files.writeString(
                dir.resolve("config.yaml"),
                """
                proxy:
                  listen: 127.0.0.1:0
                  lisen: 127.0.0.1:1
                  http2:
                    maxConcurrentStreams: 0
                admin:
                  listen: 127.0.0.1:0
                  token: %s
                cache:
                  maximumSize: 10
                  maximumSize: 20
                overrides:
                  pollInterval: soon
                unknownCustomer: cell-z
                """
                        .formatted(SHORT_TOKEN));

        RouterProcess.Result result = RouterProcess.run(dir, "check", "--config", "config.yaml");

        List<String> lines = lines(result.stdout());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(lines).hasSize(6).allSatisfy(line -> assertThat(line).contains("config.yaml"));
        assertThat(lines)
                .anySatisfy(line -> assertThat(line).contains("proxy.lisen").contains("unknown key"))
                .anySatisfy(
                        line -> assertThat(line).contains("cache.maximumSize").contains("more than once"))
                .anySatisfy(line -> assertThat(line)
                        .contains("proxy.http2.maxConcurrentStreams")
                        .contains("'0'"))
                .anySatisfy(line ->
                        assertThat(line).contains("overrides.pollInterval").contains("'soon'"))
                .anySatisfy(line -> assertThat(line).contains("admin.token").contains("<redacted>"))
                .anySatisfy(line -> assertThat(line).contains("unknownCustomer").contains("'cell-z'"));
        assertThat(result.stdout() + result.stderr()).doesNotContain(SHORT_TOKEN);
    }

    /** A jwt source that cannot be built is one line among the others, not the only one. */
    @Test
    void check_badJwtSource_isReportedWithEveryOtherProblem() throws Exception {
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        Files.writeString(
                dir.resolve("config.yaml"),
                """
                proxy:
                  listen: 127.0.0.1:0
                registry:
                  file: registry.yaml
                identity:
                  - jwt:
                      hmacSecret: ${CELL_ROUTER_CHECK_IT_UNSET_SECRET}
                bogusKey: 1
                accessLog:
                  queueSize: -5
                unknownCustomer: cell-z
                """);

        RouterProcess.Result result = RouterProcess.run(dir, "check", "--config", "config.yaml");

        List<String> lines = lines(result.stdout());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(lines)
                .hasSize(4)
                .anySatisfy(line -> assertThat(line)
                        .contains("identity[0].jwt.hmacSecret")
                        .contains("CELL_ROUTER_CHECK_IT_UNSET_SECRET"))
                .anySatisfy(line -> assertThat(line).contains("bogusKey").contains("unknown key"))
                .anySatisfy(
                        line -> assertThat(line).contains("accessLog.queueSize").contains("'-5'"))
                .anySatisfy(line -> assertThat(line).contains("unknownCustomer").contains("'cell-z'"));
    }

    @Test
    void check_cleanConfiguration_exits0() throws Exception {
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        Files.writeString(
                dir.resolve("config.yaml"),
                "proxy:\n  listen: 127.0.0.1:0\nregistry:\n  file: registry.yaml\nunknownCustomer: cell-1\n");

        RouterProcess.Result result = RouterProcess.run(dir, "check", "--config", "config.yaml");

        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        assertThat(result.stdout()).contains("config.yaml").contains("no problems");
    }

    @Test
    void check_registryEndpointWithBadPortAndPath_namesKeyAndValue() throws Exception {
        Files.writeString(
                dir.resolve("registry.yaml"), REGISTRY.replace("http://127.0.0.1:8081", "http://127.0.0.1:99999/x"));
        Files.writeString(dir.resolve("config.yaml"), "registry:\n  file: registry.yaml\n");

        RouterProcess.Result result = RouterProcess.run(dir, "check", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(lines(result.stdout())).singleElement().satisfies(line -> assertThat(line)
                .contains("registry.yaml")
                .contains("cells[0].endpoint")
                .contains("http://127.0.0.1:99999/x"));
    }

    @Test
    void serve_unknownCustomerCellNotInTheRegistry_exits2BeforeBinding() throws Exception {
        int proxyPort = RouterProcess.freePort();
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        Files.writeString(
                dir.resolve("config.yaml"),
                "proxy:\n  listen: 127.0.0.1:" + proxyPort + "\nregistry:\n  file: registry.yaml\n"
                        + "unknownCustomer: cell-z\n");

        RouterProcess.Result result = RouterProcess.run(dir, "serve", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr())
                .contains("unknownCustomer")
                .contains("cell-z")
                .doesNotContain("started");
    }

    @Test
    void serve_missingRegistryFile_exits2WithAPlainMessage() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "proxy:\n  listen: 127.0.0.1:0\nregistry:\n  file: nope.yaml\n");

        RouterProcess.Result result = RouterProcess.run(dir, "serve", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr())
                .contains("registry.file")
                .contains("nope.yaml")
                .contains("does not exist")
                .doesNotContain("Exception");
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).toList();
    }
}
