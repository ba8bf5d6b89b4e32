package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An edit of the registry file that would remove most placements is refused: the router keeps
 * routing on the last good document, counts the refusal and shows it on {@code /readyz}. Snapshot
 * write failures are counted too.
 */
class RegistryGuardIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension().registry(() -> "  snapshot: state/snapshot.json");

    @Test
    void truncatedEdit_isRefused_routingGoesOn_andItIsCountedAndShown() throws Exception {
        assertThat(counter(scrape(), "cellrouter_registry_rejected_edits_total{reason=\"too_many_removals\"}"))
                .isEqualTo(0.0);
        assertThat(counter(scrape(), "cellrouter_registry_snapshot_failures_total"))
                .isEqualTo(0.0);

        // initech and globex removed: 2 of the 3 placements
        router.writeRegistry("cells:\n  - name: cell-1\n    endpoint: "
                + router.cell("cell-1").endpoint()
                + "\n  - name: cell-2\n    endpoint: " + router.cell("cell-2").endpoint()
                + "\ncustomers:\n  acme: cell-1\n");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> counter(scrape(), "cellrouter_registry_rejected_edits_total{reason=\"too_many_removals\"}")
                        == 1.0);
        assertThat(router.get("globex", "/hello").statusCode()).isEqualTo(200);
        assertThat(router.get("globex", "/hello").headers().firstValue("x-served-by"))
                .hasValue("cell-2");
        String readyz = get("/readyz");
        assertThat(readyz)
                .contains("\"lastRejectedEdit\"")
                .contains("too_many_removals")
                .contains("registry.yaml");
    }

    @Test
    void snapshotWriteFailure_isCounted() throws Exception {
        Path state = router.dir().resolve("state");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(state.resolve("snapshot.json")));
        Files.delete(state.resolve("snapshot.json"));
        Files.delete(state);
        Files.writeString(state, "a file where the snapshot's folder was");

        router.writeRegistry(
                Files.readString(router.dir().resolve("registry.yaml")).replace("acme: cell-1", "acme: cell-2"));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> counter(scrape(), "cellrouter_registry_snapshot_failures_total") >= 1.0);
    }

    private String scrape() throws Exception {
        return get("/metrics");
    }

    private String get(String path) throws Exception {
        return router.client()
                .send(HttpRequest.newBuilder(router.admin(path)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static double counter(String metrics, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
