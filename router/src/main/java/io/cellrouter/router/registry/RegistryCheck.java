package io.cellrouter.router.registry;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.registry.store.dynamodb.DynamoDbRegistryStore;
import io.cellrouter.router.config.ConfigProblem;
import io.cellrouter.router.config.DynamoDbConfig;
import io.cellrouter.router.config.RegistryConfig;
import io.cellrouter.router.config.RouterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks the registry that a configuration names, as {@code check} and {@code serve} do before
 * anything binds: the registry file exists and is a valid document (every cell endpoint a good
 * URL), and {@code unknownCustomer} names one of its cells. With DynamoDB, {@code check} reads the
 * cells from the table; {@code serve} does not (a store that is down at start is not a bad
 * configuration: the router serves its snapshot, or waits for the store).
 */
public final class RegistryCheck {

    /** How long {@code check} waits for the DynamoDB table. */
    private static final Duration STORE_WAIT = Duration.ofSeconds(10);

    /**
     * The problems found, and whether they are about reading the store at all (the file is
     * missing, unreadable or invalid): a router with a snapshot can start on it then.
     */
    public record Result(List<ConfigProblem> problems, boolean storeUnreadable) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    private RegistryCheck() {}

    /** {@code readStore}: also read a DynamoDB table (for {@code check}). */
    public static Result run(RouterConfig config, boolean readStore) {
        RegistryConfig registry = config.registry();
        List<ConfigProblem> problems = new ArrayList<>();
        Collection<Cell> cells;
        if (registry.dynamodb() != null) {
            if (!readStore) {
                return new Result(problems, false);
            }
            cells = dynamoDbCells(registry.dynamodb(), problems);
        } else {
            cells = fileCells(registry.file(), problems);
        }
        if (cells == null) {
            return new Result(problems, true);
        }
        String unknownCustomerCell = config.unknownCustomerCell();
        if (unknownCustomerCell != null
                && cells.stream().noneMatch(cell -> cell.name().equals(unknownCustomerCell))) {
            problems.add(new ConfigProblem(
                    "unknownCustomer",
                    unknownCustomerCell,
                    "names no cell of the registry " + RegistryStores.describe(registry)
                            + " (unknown customers would all get 502)"));
        }
        return new Result(problems, false);
    }

    private static Collection<Cell> fileCells(Path file, List<ConfigProblem> problems) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            problems.add(new ConfigProblem("registry.file", file.toString(), "the file does not exist"));
            return null;
        } catch (IOException e) {
            problems.add(new ConfigProblem("registry.file", file.toString(), "the file cannot be read"));
            return null;
        }
        try {
            RegistryDocument document = RegistryDocuments.parse(content, file.toString());
            return document.cells();
        } catch (InvalidRegistryException e) {
            e.getMessage().lines().forEach(line -> problems.add(ConfigProblem.elsewhere(line))); // one per problem
            return null;
        }
    }

    private static Collection<Cell> dynamoDbCells(DynamoDbConfig dynamodb, List<ConfigProblem> problems) {
        try (DynamoDbRegistryStore store = DynamoDbRegistryStore.open(dynamodb.settings(), Clock.systemUTC())) {
            return store.cells().get(STORE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            problems.add(new ConfigProblem(
                    "registry.dynamodb.table", dynamodb.table(), "cannot read the cells: " + cause.getMessage()));
        } catch (TimeoutException e) {
            problems.add(new ConfigProblem(
                    "registry.dynamodb.table", dynamodb.table(), "no answer within " + STORE_WAIT.toSeconds() + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add(new ConfigProblem("registry.dynamodb.table", dynamodb.table(), "interrupted"));
        }
        return null;
    }
}
