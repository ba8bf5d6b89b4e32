package io.cellrouter.loadtest.bench.standard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How each driver runs its tool, and what it says when the tool is not installed. */
class DriversTest {

    private static final URI TARGET = URI.create("http://127.0.0.1:8080");

    @Test
    void wrk_closedLoopOneThread32ConnectionsWithLatencyAndTheScript() {
        WrkDriver wrk = new WrkDriver(Optional.of(Path.of("/usr/bin/wrk")));

        assertThat(wrk.command(TARGET, Duration.ofSeconds(10), Path.of("/tmp/x/wrk-request.lua")))
                .containsExactly(
                        "/usr/bin/wrk",
                        "-t1",
                        "-c32",
                        "-d10s",
                        "--latency",
                        "-s",
                        "/tmp/x/wrk-request.lua",
                        "http://127.0.0.1:8080/");
    }

    @Test
    void wrkScript_setsARandomCustomerOfTheRangePerRequest() {
        String lua = WrkDriver.luaScript(1000);

        assertThat(lua)
                .contains("local customers = 1000")
                .contains("request = function()")
                .contains("wrk.headers[\"x-customer-id\"] = \"c\" .. math.random(0, customers - 1)")
                .contains("return wrk.format(\"GET\", \"/\")");
    }

    @Test
    void h2load_16Clients10StreamsTimedWithWarmupAndTheRoutingHeader() {
        H2loadDriver h2load = new H2loadDriver(Optional.of(Path.of("/usr/bin/h2load")));

        assertThat(h2load.command(TARGET, Duration.ofSeconds(3), Duration.ofSeconds(10)))
                .containsExactly(
                        "/usr/bin/h2load",
                        "-c16",
                        "-m10",
                        "-D",
                        "10",
                        "--warm-up-time=3",
                        "-H",
                        "x-customer-id: c0",
                        "http://127.0.0.1:8080/");
    }

    @Test
    void grpcClient_2Channels10Outstanding128BytesAndStreamingWhenAsked() {
        GrpcBenchDriver unary = new GrpcBenchDriver(false, "/jdk/bin/java", "/x/cell-loadtest.jar");
        GrpcBenchDriver streaming = new GrpcBenchDriver(true, "/jdk/bin/java", "/x/cell-loadtest.jar");

        assertThat(unary.command(TARGET, 1000, Duration.ofSeconds(3), Duration.ofSeconds(10)))
                .startsWith("/jdk/bin/java")
                .containsSubsequence(
                        "-cp",
                        "/x/cell-loadtest.jar",
                        "io.cellrouter.loadtest.cli.Main",
                        "grpc-bench-client",
                        "--customers=1000",
                        "--customer-header=x-customer-id",
                        "--address=127.0.0.1:8080",
                        "--channels=2",
                        "--outstanding_rpcs=10",
                        "--client_payload=128",
                        "--server_payload=128",
                        "--warmup_duration=3",
                        "--duration=10")
                .doesNotContain("--streaming_rpcs");
        assertThat(streaming.command(TARGET, 1000, Duration.ofSeconds(3), Duration.ofSeconds(10)))
                .endsWith("--streaming_rpcs");
    }

    @Test
    void missingTools_sayWhichAndHowToInstall() {
        assertThat(new WrkDriver(Optional.empty()).missing()).contains("wrk is not installed: apt-get install -y wrk");
        assertThat(new H2loadDriver(Optional.empty()).missing())
                .contains("h2load is not installed: apt-get install -y nghttp2-client");
        assertThat(new WrkDriver(Optional.of(Path.of("/usr/bin/wrk"))).missing())
                .isEmpty();
    }

    @Test
    void grpcClient_isBundled_andNamesItsVersion() {
        GrpcBenchDriver driver = new GrpcBenchDriver(false, "java", "cp");

        assertThat(driver.missing()).isEmpty();
        assertThat(driver.tool()).isEqualTo("grpc-java benchmark client 1.79.0");
    }

    @Test
    void eachLoad_hasItsClient() {
        assertThat(StandardBench.driver(StandardLoad.HTTP1, "java", "cp")).isInstanceOf(WrkDriver.class);
        assertThat(StandardBench.driver(StandardLoad.H2C, "java", "cp")).isInstanceOf(H2loadDriver.class);
        assertThat(StandardBench.driver(StandardLoad.GRPC_UNARY, "java", "cp").description())
                .contains("unary");
        assertThat(StandardBench.driver(StandardLoad.GRPC_STREAMING, "java", "cp")
                        .description())
                .contains("streaming ping-pong");
    }
}
