package io.cellrouter.router.cli;

import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.ImportResult;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.RegistryException;
import io.cellrouter.registry.store.RegistryImport;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.registry.store.file.AtomicFiles;
import io.cellrouter.registry.store.file.FileRegistryStore;
import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RegistryConfig;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.registry.RegistryStores;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code registry create-table | import FILE | export} (README "Registry stores"), for the store that the
 * configuration names, file or DynamoDB. Every write goes through the store, so routers following
 * it hear of each change through its feed. Messages go to stderr, the exported document to stdout.
 * Exit codes: 0 success, 2 bad arguments, configuration or document, 1 the store failed.
 */
@Command(
        name = "registry",
        mixinStandardHelpOptions = true,
        description = "Manage the registry: create-table, import, export.",
        subcommands = {RegistryCommand.CreateTable.class, RegistryCommand.Import.class, RegistryCommand.Export.class})
final class RegistryCommand {

    /** The {@code --config} option and opening the configured store, shared by the subcommands. */
    abstract static class StoreCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(
                names = {"-c", "--config"},
                description = "The router's configuration file (YAML); its registry section names the store."
                        + " Default: ${DEFAULT-VALUE}",
                defaultValue = "config.yaml")
        Path config;

        @Override
        public final Integer call() {
            RouterConfig parsed;
            try {
                parsed = ConfigLoader.load(config);
            } catch (ConfigException e) {
                return fail(Main.EXIT_USAGE, "bad configuration:\n  " + String.join("\n  ", e.lines()));
            }
            try {
                return run(parsed.registry());
            } catch (InvalidRegistryException e) {
                return fail(Main.EXIT_USAGE, e.getMessage());
            } catch (RegistryException | IOException e) {
                return fail(Main.EXIT_RUNTIME, e.getMessage());
            }
        }

        abstract int run(RegistryConfig registry) throws IOException;

        int fail(int code, String message) {
            spec.commandLine().getErr().println("cell-router registry " + spec.name() + ": " + message);
            return code;
        }

        void say(String message) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(message);
            err.flush();
        }

        /** The configured store, with the relaxed timeouts of bulk work for DynamoDB. */
        static RegistryStore bulkStore(RegistryConfig registry) {
            if (registry.dynamodb() != null) {
                return DynamoDbRegistryStore.open(registry.dynamodb().settings().forBulkWork(), Clock.systemUTC());
            }
            return RegistryStores.open(registry, Clock.systemUTC());
        }

        static <T> T await(CompletableFuture<T> future) {
            try {
                return future.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw e;
            }
        }
    }

    @Command(
            name = "create-table",
            mixinStandardHelpOptions = true,
            description = {
                "Create the store: the DynamoDB table (key pk/sk, on-demand billing, the cell-customers index),"
                        + " or an empty registry file.",
                "Does nothing, successfully, when it exists already (but adds the index to a table without it)."
            })
    static final class CreateTable extends StoreCommand {

        @Override
        int run(RegistryConfig registry) throws IOException {
            if (registry.dynamodb() != null) {
                try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(
                        registry.dynamodb().settings().forBulkWork(), Clock.systemUTC())) {
                    boolean created = await(store.createTable());
                    say((created ? "created" : "exists already:") + " DynamoDB table "
                            + registry.dynamodb().table());
                }
                return Main.EXIT_OK;
            }
            Path file = registry.file();
            if (Files.exists(file)) {
                say("exists already: registry file " + file);
                return Main.EXIT_OK;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.replace(
                    file, RegistryDocuments.write(RegistryDocument.empty()).getBytes(StandardCharsets.UTF_8));
            say("created registry file " + file);
            return Main.EXIT_OK;
        }
    }

    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = {
                "Load a registry document (YAML or JSON, the format the README describes) into the store.",
                "A merge: cells, placements and overrides of the document are written where they differ;"
                        + " what it does not name is kept, so a document may hold only customers (their cells"
                        + " must be in the registry). Each write is a change that routers follow.",
                "--allow-removals: the document replaces the registry (file store), removals included."
            })
    static final class Import extends StoreCommand {

        @Parameters(index = "0", paramLabel = "FILE", description = "The registry document to load.")
        Path file;

        @Option(
                names = "--allow-removals",
                description = "The document becomes the whole registry: what it does not name is removed, and the"
                        + " file store's guard against edits that remove cells with customers or more than"
                        + " registry.maxRemovalFraction of the placements does not apply. File store only.")
        boolean allowRemovals;

        @Override
        int run(RegistryConfig registry) {
            RegistryDocument document;
            try {
                byte[] content = Files.readAllBytes(file);
                document = allowRemovals
                        ? RegistryDocuments.parse(content, file.toString())
                        : RegistryDocuments.parsePartial(content, file.toString());
            } catch (IOException e) {
                return fail(Main.EXIT_USAGE, file + ": cannot read the document (" + e.getMessage() + ")");
            } catch (RegistryException e) {
                return fail(Main.EXIT_USAGE, e.getMessage());
            }
            if (allowRemovals && registry.dynamodb() != null) {
                return fail(
                        Main.EXIT_USAGE,
                        "--allow-removals replaces a registry file; with DynamoDB, import merges and removes nothing");
            }
            long start = System.nanoTime();
            try (RegistryStore store = bulkStore(registry)) {
                ImportResult result;
                if (allowRemovals) {
                    RegistryImport.checkTiers(document, file.toString());
                    result = await(((FileRegistryStore) store).replaceDocument(document));
                } else {
                    RegistryImport.checkReferences(document, await(store.cells()), file.toString());
                    result = await(store.importDocument(document));
                }
                say(String.format(
                        "%s %s into %s in %d ms: %d cells, %d placements, %d overrides%s written; %d unchanged;"
                                + " %d failed",
                        allowRemovals ? "replaced the registry with" : "imported",
                        file,
                        RegistryStores.describe(registry),
                        (System.nanoTime() - start) / 1_000_000,
                        result.cellsWritten(),
                        result.placementsWritten(),
                        result.overridesWritten(),
                        result.shadowsWritten() == 0 ? "" : ", " + result.shadowsWritten() + " shadows",
                        result.unchanged(),
                        result.failed()));
                return result.failed() == 0 ? Main.EXIT_OK : Main.EXIT_RUNTIME;
            }
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Print the whole registry as a document (what `registry import` reads), with versions.")
    static final class Export extends StoreCommand {

        @Option(names = "--format", description = "yaml or json. Default: ${DEFAULT-VALUE}", defaultValue = "yaml")
        String format;

        @Override
        int run(RegistryConfig registry) throws IOException {
            if (!format.equals("yaml") && !format.equals("json")) {
                return fail(Main.EXIT_USAGE, "--format must be yaml or json, was '" + format + "'");
            }
            RegistryDocument document;
            try (RegistryStore store = bulkStore(registry)) {
                document = await(store.cells()
                        .thenCombine(store.overrides(), (cells, overrides) -> Map.entry(cells, overrides))
                        .thenCombine(
                                store.placements(),
                                (cellsAndOverrides, placements) ->
                                        document(cellsAndOverrides.getKey(), placements, cellsAndOverrides.getValue()))
                        .thenCombine(store.shadows(), Export::withShadows));
            }
            OutputStream out = new BufferedOutputStream(System.out, 64 * 1024);
            if (format.equals("json")) {
                RegistryDocuments.writeJson(document, out);
                out.write('\n');
            } else {
                out.write(RegistryDocuments.write(document).getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            return Main.EXIT_OK;
        }

        private static RegistryDocument document(
                List<io.cellrouter.registry.model.Cell> cells,
                List<Placement> placements,
                List<io.cellrouter.registry.model.RoutingOverride> overrides) {
            Map<String, String> customers = new LinkedHashMap<>();
            Map<String, Long> versions = new LinkedHashMap<>();
            placements.stream()
                    .sorted(java.util.Comparator.comparing(Placement::customer))
                    .forEach(placement -> {
                        customers.put(placement.customer(), placement.cell());
                        if (placement.version() > 1) {
                            versions.put(placement.customer(), placement.version());
                        }
                    });
            List<io.cellrouter.registry.model.Cell> sortedCells = cells.stream()
                    .sorted(java.util.Comparator.comparing(io.cellrouter.registry.model.Cell::name))
                    .toList();
            List<io.cellrouter.registry.model.RoutingOverride> sortedOverrides = overrides.stream()
                    .sorted(java.util.Comparator.comparing(io.cellrouter.registry.model.RoutingOverride::customer))
                    .toList();
            return new RegistryDocument(sortedCells, customers, sortedOverrides, versions);
        }

        /** The shadows too, by customer, so that what `registry import` wrote comes back. */
        private static RegistryDocument withShadows(RegistryDocument document, List<Shadow> shadows) {
            return document.withShadows(shadows.stream()
                    .sorted(java.util.Comparator.comparing(Shadow::customer))
                    .toList());
        }
    }
}
