package io.cellrouter.router.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be used: every problem found, each naming the file, the key and the
 * bad value (secrets redacted), one per line in {@link #getMessage()}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final transient List<ConfigProblem> problems;

    public ConfigException(String source, List<ConfigProblem> problems) {
        super(render(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** One problem, its message complete (it names the file and the key itself). */
    public ConfigException(String message) {
        this(message, (Throwable) null);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
        this.source = "";
        this.problems = List.of(ConfigProblem.of("", message));
    }

    /** The configuration file (as given on the command line), or a description of the source. */
    public String source() {
        return source;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    /** One line per problem: {@code file: key: message, was 'value'}. */
    public List<String> lines() {
        return problems.stream().map(problem -> problem.render(source)).toList();
    }

    private static String render(String source, List<ConfigProblem> problems) {
        return problems.stream().map(problem -> problem.render(source)).collect(Collectors.joining("\n"));
    }
}
