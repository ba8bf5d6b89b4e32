package io.cellrouter.router.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads the YAML configuration (README "Configuration") into a {@link RouterConfig}, in steps that
 * each do one thing and report every problem they find:
 *
 * <ol>
 *   <li>{@link YamlTree}: the text as a tree; a key given twice is a problem;
 *   <li>{@link Environment}: {@code ${NAME}} replaced by the environment variable;
 *   <li>{@link ConfigDefaults}: the tree laid over {@code defaults.yaml};
 *   <li>{@link ConfigMapper}: bound onto the records, which check their values; unknown keys and
 *       values of the wrong type are problems;
 *   <li>{@link StartupProbes}: the files the configuration names can be read (keys, certificates)
 *       or written (the snapshot's folder).
 * </ol>
 *
 * Relative paths are relative to the configuration file's folder. Every problem names the file,
 * the key and the value (secrets as {@code <redacted>}).
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /** The outcome of reading a configuration: the configuration (null when it could not be built) and every problem. */
    public record Result(String source, RouterConfig config, List<ConfigProblem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return config != null && problems.isEmpty();
        }

        /** The configuration, or a {@link ConfigException} listing every problem. */
        public RouterConfig orThrow() {
            if (!ok()) {
                throw new ConfigException(source, problems);
            }
            return config;
        }
    }

    /** Loads a file with the process environment; throws {@link ConfigException} with every problem. */
    public static RouterConfig load(Path file) {
        return load(file, System::getenv);
    }

    public static RouterConfig load(Path file, Function<String, String> env) {
        return read(file, env).orThrow();
    }

    /** Parses YAML text; relative paths resolve against {@code baseDir}; throws with every problem. */
    public static RouterConfig parse(String yaml, String source, Path baseDir, Function<String, String> env) {
        return parseAll(yaml, source, baseDir, env).orThrow();
    }

    /** Reads a file and returns every problem rather than throwing. */
    public static Result read(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return new Result(file.toString(), null, List.of(ConfigProblem.of("", "no such configuration file")));
        } catch (IOException e) {
            return new Result(
                    file.toString(), null, List.of(ConfigProblem.of("", "cannot be read (" + e.getMessage() + ")")));
        }
        return parseAll(text, file.toString(), file.toAbsolutePath().getParent(), env);
    }

    /** Parses YAML text and returns every problem rather than throwing. */
    public static Result parseAll(String yaml, String source, Path baseDir, Function<String, String> env) {
        List<ConfigProblem> problems = new ArrayList<>();
        ObjectNode tree = YamlTree.read(yaml, problems);
        if (tree == null) {
            return new Result(source, null, problems);
        }
        Set<String> substituted = Environment.substitute(tree, env, problems);
        RouterConfig config = ConfigMapper.bind(ConfigDefaults.under(tree), baseDir, problems);
        if (config != null) {
            StartupProbes.files(config).forEach(problem -> {
                if (problems.stream().noneMatch(known -> known.key().equals(problem.key()))) {
                    problems.add(problem);
                }
            });
        }
        problems.replaceAll(problem -> substituted.contains(problem.key()) ? problem.redacted() : problem);
        return new Result(source, config, problems);
    }
}
