package io.cellrouter.router.cli;

import io.cellrouter.router.RouterServer;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.demo.DemoCell;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: two demo cells on loopback, a file registry with a few customers in a temp folder,
 * the router on 127.0.0.1:8080 and its admin API on 127.0.0.1:9090, and curl lines to try. With
 * four customers, removing one is 25% of the placements: the demo's {@code
 * registry.maxRemovalFraction} is 0.5, so that the edits it invites are taken.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run a self-contained demo: two cells, a file registry, the router and its admin API.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", description = "Proxy port on 127.0.0.1. Default: ${DEFAULT-VALUE}", defaultValue = "8080")
    int port;

    @Option(
            names = "--admin-port",
            description = "Admin port on 127.0.0.1. Default: ${DEFAULT-VALUE}",
            defaultValue = "9090")
    int adminPort;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("cell-router-demo");
        String token = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
        try (DemoCell cell1 = DemoCell.start("cell-1", new InetSocketAddress("127.0.0.1", 0));
                DemoCell cell2 = DemoCell.start("cell-2", new InetSocketAddress("127.0.0.1", 0))) {
            Path registry = dir.resolve("registry.yaml");
            Files.writeString(registry, registryYaml(cell1, cell2));
            Path configFile = dir.resolve("config.yaml");
            Files.writeString(configFile, configYaml(registry, token));
            RouterConfig config = ConfigLoader.load(configFile);
            RouterServer server = RouterServer.start(config, Clock.systemUTC());
            printHelp(spec.commandLine().getOut(), registry, token);
            Signals.awaitTermination();
            server.drainAndStop(config.proxy().drainTimeout());
        }
        return Main.EXIT_OK;
    }

    private static String registryYaml(DemoCell cell1, DemoCell cell2) {
        return """
                cells:
                  - name: cell-1
                    endpoint: http://127.0.0.1:%d
                    region: demo-1
                    tier: dev
                  - name: cell-2
                    endpoint: http://127.0.0.1:%d
                    region: demo-2
                    tier: dev
                customers:
                  acme: cell-1
                  initech: cell-1
                  globex: cell-2
                  umbrella: cell-2
                """
                .formatted(cell1.address().getPort(), cell2.address().getPort());
    }

    private String configYaml(Path registry, String token) {
        return """
                proxy:
                  listen: 127.0.0.1:%d
                  drainTimeout: 5s
                admin:
                  listen: 127.0.0.1:%d
                  token: %s
                registry:
                  file: %s
                  maxRemovalFraction: 0.5   # four customers: removing one is already 25%%
                overrides:
                  pollInterval: 1s
                identity:
                  - header: x-customer-id
                  - host: '^(?<customer>[a-z0-9-]+)\\.localhost$'
                  - path: '^/v1/customers/(?<customer>[^/]+)/'
                  - query: customer
                """
                .formatted(port, adminPort, token, registry);
    }

    private void printHelp(PrintWriter out, Path registry, String token) {
        String proxy = "http://127.0.0.1:" + port;
        String admin = "http://127.0.0.1:" + adminPort;
        out.printf(
                """

                cell-router demo is running (Ctrl-C to stop).
                  proxy  %1$s     admin %2$s     admin token %3$s
                  registry file %4$s
                    (edit it: the router follows without a restart; it refuses an edit that removes
                    more than half the customers, or a cell that still holds customers)

                Route by header, path, query and host name:
                  curl -s -H 'x-customer-id: acme' %1$s/hello
                  curl -s %1$s/v1/customers/globex/orders
                  curl -s '%1$s/hello?customer=initech'
                  curl -s -H 'Host: umbrella.localhost' %1$s/hello
                Unknown customer (404) and no identity (401):
                  curl -s -H 'x-customer-id: nobody' %1$s/hello
                  curl -s %1$s/hello
                Admin API:
                  curl -s -H 'Authorization: Bearer %3$s' %2$s/admin/v1/cells
                  curl -s -H 'Authorization: Bearer %3$s' %2$s/admin/v1/resolve/acme
                Move acme to cell-2, then ask again:
                  curl -s -X POST -H 'Authorization: Bearer %3$s' -d '{"toCell":"cell-2"}' %2$s/admin/v1/customers/acme/move
                  curl -s -H 'x-customer-id: acme' %1$s/hello
                Metrics:
                  curl -s %2$s/metrics | grep cellrouter_requests
                The console (sign in with the admin token) and the admin CLI:
                  open %2$s/
                  CELL_ROUTER_ADMIN_TOKEN=%3$s java -jar router/target/cell-router.jar admin cells --url %2$s
                """,
                proxy, admin, token, registry);
        out.flush();
    }
}
