package io.cellrouter.router.cli;

import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.ConfigProblem;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.registry.RegistryCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The checks that {@code check} prints and {@code serve} runs before it binds a port: the
 * configuration (every key, every value, the files it names) and the registry it names (a valid
 * document; {@code unknownCustomer} one of its cells).
 *
 * @param source the configuration file as given
 * @param config the configuration, or null when it could not be built
 * @param problems every problem, configuration first
 * @param storeUnreadable the registry could not be read at all (its file is missing or invalid):
 *     {@code serve} may still start from a last-known-good snapshot
 */
record Preflight(String source, RouterConfig config, List<ConfigProblem> problems, boolean storeUnreadable) {

    Preflight {
        problems = List.copyOf(problems);
    }

    /** {@code readStore}: also read a DynamoDB table ({@code check}; {@code serve} does not wait for it). */
    static Preflight run(Path file, Function<String, String> env, boolean readStore) {
        ConfigLoader.Result loaded = ConfigLoader.read(file, env);
        List<ConfigProblem> problems = new ArrayList<>(loaded.problems());
        boolean storeUnreadable = false;
        boolean registryBound = problems.stream()
                .noneMatch(problem ->
                        problem.key().startsWith("registry") || problem.key().equals("unknownCustomer"));
        if (loaded.config() != null && registryBound) {
            RegistryCheck.Result registry = RegistryCheck.run(loaded.config(), readStore);
            problems.addAll(registry.problems());
            storeUnreadable = registry.storeUnreadable();
        }
        return new Preflight(loaded.source(), loaded.config(), problems, storeUnreadable);
    }

    boolean clean() {
        return config != null && problems.isEmpty();
    }

    /** The only problems are that the store cannot be read, and a snapshot exists to start from. */
    boolean canStartFromSnapshot() {
        Path snapshot = config == null ? null : config.registry().snapshot();
        return storeUnreadable
                && snapshot != null
                && Files.isRegularFile(snapshot)
                && problems.stream()
                        .allMatch(problem ->
                                problem.source() != null || problem.key().startsWith("registry.file"));
    }

    /** One line per problem: {@code file: key: what is wrong, was 'value'}. */
    List<String> lines() {
        return problems.stream().map(problem -> problem.render(source)).toList();
    }
}
