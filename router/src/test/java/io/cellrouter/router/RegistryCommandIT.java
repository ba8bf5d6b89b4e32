package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.testing.DynaliteExtension;
import io.cellrouter.router.testing.RouterProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code registry create-table | import | export} through the fat jar, for both stores (README "Commands"). */
class RegistryCommandIT {

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private static final String REGISTRY =
            """
            cells:
              - name: cell-1
                endpoint: http://10.0.1.10:8080
                region: us-east-1
                tier: prod
                labels: {cloud: aws}
              - name: cell-2
                endpoint: h2c://cell-2.internal:8080
                state: draining
            customers:
              acme: cell-1
              globex: cell-2
            overrides:
              - customer: initech
                freeze: true
                expiresAt: 2030-01-01T00:00:00Z
                reason: moving data
            """;

    /** The document with a shadow: export prints what import wrote. */
    private static final String REGISTRY_WITH_SHADOW = REGISTRY
            + """
            shadows:
              - customer: acme
                toCell: cell-2
                fraction: 0.25
                methods: [GET]
                expiresAt: 2030-01-01T00:00:00Z
                reason: check cell-2
            """;

    @TempDir
    Path dir;

    @Test
    void dynamodb_createTableImportExport_roundTripsTheDocument() throws Exception {
        writeDynamoDbConfig("cmd-roundtrip");
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY_WITH_SHADOW);

        RouterProcess.Result created = run("registry", "create-table", "--config", "config.yaml");
        RouterProcess.Result again = run("registry", "create-table", "--config", "config.yaml");
        RouterProcess.Result imported = run("registry", "import", "registry.yaml", "--config", "config.yaml");
        RouterProcess.Result exported = run("registry", "export", "--config", "config.yaml");

        assertThat(created.exitCode()).as(created.stderr()).isZero();
        assertThat(created.stderr()).contains("created DynamoDB table cmd-roundtrip");
        assertThat(again.exitCode()).isZero();
        assertThat(again.stderr()).contains("exists already");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.stderr()).contains("2 cells, 2 placements, 1 overrides, 1 shadows written");
        assertThat(exported.exitCode()).as(exported.stderr()).isZero();
        RegistryDocument document = RegistryDocuments.parse(exported.stdout(), "export");
        RegistryDocument expected = RegistryDocuments.parse(REGISTRY_WITH_SHADOW, "registry.yaml");
        assertThat(document.customers()).isEqualTo(expected.customers());
        assertThat(document.overrides()).isEqualTo(expected.overrides());
        assertThat(document.shadows()).hasSize(1).isEqualTo(expected.shadows());
        assertThat(document.cells())
                .extracting(cell -> cell.withVersion(0))
                .containsExactlyElementsOf(expected.cells());
    }

    @Test
    void dynamodb_importOfAMove_bumpsTheVersionAndAReimportChangesNothing() throws Exception {
        writeDynamoDbConfig("cmd-move");
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        run("registry", "create-table", "--config", "config.yaml");
        run("registry", "import", "registry.yaml", "--config", "config.yaml");
        Files.writeString(dir.resolve("move.yaml"), REGISTRY.replace("acme: cell-1", "acme: cell-2"));

        RouterProcess.Result moved = run("registry", "import", "move.yaml", "--config", "config.yaml");
        RouterProcess.Result unchanged = run("registry", "import", "move.yaml", "--config", "config.yaml");
        RouterProcess.Result exported = run("registry", "export", "--format", "json", "--config", "config.yaml");

        assertThat(moved.stderr()).contains("0 cells, 1 placements, 0 overrides written");
        assertThat(unchanged.stderr()).contains("0 cells, 0 placements, 0 overrides written");
        RegistryDocument document = RegistryDocuments.parse(exported.stdout(), "export");
        assertThat(document.customers()).containsEntry("acme", "cell-2");
        assertThat(document.versions()).isEqualTo(Map.of("acme", 2L));
    }

    @Test
    void import_invalidDocument_exits2NamingTheKey() throws Exception {
        writeDynamoDbConfig("cmd-invalid");
        run("registry", "create-table", "--config", "config.yaml"); // cell-9 is in neither the document nor the table
        Files.writeString(dir.resolve("bad.yaml"), REGISTRY.replace("globex: cell-2", "globex: cell-9"));

        RouterProcess.Result result = run("registry", "import", "bad.yaml", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr())
                .contains("bad.yaml")
                .contains("customers.globex")
                .contains("cell-9");
    }

    @Test
    void export_storeUnreachable_exits1() throws Exception {
        int closed = RouterProcess.freePort();
        Files.writeString(
                dir.resolve("config.yaml"),
                "registry:\n  dynamodb:\n    table: nowhere\n    endpoint: http://127.0.0.1:" + closed + "\n");

        RouterProcess.Result result = run("registry", "export", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("nowhere");
    }

    @Test
    void fileStore_createTableImportExport_writesTheFile() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "registry:\n  file: data/registry.yaml\n");
        Files.writeString(dir.resolve("import.yaml"), REGISTRY);

        RouterProcess.Result created = run("registry", "create-table", "--config", "config.yaml");
        RouterProcess.Result imported = run("registry", "import", "import.yaml", "--config", "config.yaml");
        RouterProcess.Result exported = run("registry", "export", "--config", "config.yaml");

        assertThat(created.exitCode()).as(created.stderr()).isZero();
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.stderr()).contains("2 cells, 2 placements, 1 overrides written");
        RegistryDocument onDisk = RegistryDocuments.read(dir.resolve("data/registry.yaml"));
        assertThat(onDisk.customers()).isEqualTo(Map.of("acme", "cell-1", "globex", "cell-2"));
        assertThat(RegistryDocuments.parse(exported.stdout(), "export").customers())
                .isEqualTo(onDisk.customers());
    }

    @Test
    void fileStore_importOfCustomersOnly_mergesAndKeepsWhatItDoesNotName() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "registry:\n  file: registry.yaml\n");
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        Files.writeString(dir.resolve("moves.yaml"), "customers:\n  acme: cell-2\n  hooli: cell-1\n");

        RouterProcess.Result imported = run("registry", "import", "moves.yaml", "--config", "config.yaml");

        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        RegistryDocument onDisk = RegistryDocuments.read(dir.resolve("registry.yaml"));
        assertThat(onDisk.customers()).isEqualTo(Map.of("acme", "cell-2", "globex", "cell-2", "hooli", "cell-1"));
        assertThat(onDisk.cells()).hasSize(2);
        assertThat(onDisk.overrides()).hasSize(1);
    }

    @Test
    void fileStore_importAllowRemovals_replacesTheRegistryWithTheDocument() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "registry:\n  file: registry.yaml\n");
        Files.writeString(dir.resolve("registry.yaml"), REGISTRY);
        Files.writeString(
                dir.resolve("smaller.yaml"),
                "cells:\n  - name: cell-1\n    endpoint: http://10.0.1.10:8080\ncustomers:\n  acme: cell-1\n");

        RouterProcess.Result merged = run("registry", "import", "smaller.yaml", "--config", "config.yaml");
        RegistryDocument afterMerge = RegistryDocuments.read(dir.resolve("registry.yaml"));
        RouterProcess.Result replaced =
                run("registry", "import", "smaller.yaml", "--allow-removals", "--config", "config.yaml");

        assertThat(merged.exitCode()).as(merged.stderr()).isZero();
        assertThat(afterMerge.customers()).containsOnlyKeys("acme", "globex");
        assertThat(replaced.exitCode()).as(replaced.stderr()).isZero();
        RegistryDocument onDisk = RegistryDocuments.read(dir.resolve("registry.yaml"));
        assertThat(onDisk.customers()).isEqualTo(Map.of("acme", "cell-1"));
        assertThat(onDisk.cells()).extracting(cell -> cell.name()).containsExactly("cell-1");
        assertThat(onDisk.overrides()).isEmpty();
    }

    @Test
    void badConfig_exits2() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "registry:\n  dynamodb:\n    endpoint: nope\n");

        RouterProcess.Result result = run("registry", "export", "--config", "config.yaml");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.stderr()).contains("registry.dynamodb.endpoint");
    }

    private void writeDynamoDbConfig(String table) throws Exception {
        Files.writeString(
                dir.resolve("config.yaml"),
                "registry:\n  dynamodb:\n    table: " + table + "\n    endpoint: " + DYNALITE.endpoint() + "\n");
    }

    private RouterProcess.Result run(String... args) throws Exception {
        return RouterProcess.run(dir, args);
    }
}
