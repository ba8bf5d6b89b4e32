package io.cellrouter.router.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration record refused its values: every problem found in it, with keys relative to
 * the record. The loader puts the record's own key in front ({@code http2} becomes {@code
 * proxy.http2}) and the file name before that.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    public InvalidConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::describe).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
