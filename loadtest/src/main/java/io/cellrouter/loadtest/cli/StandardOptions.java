package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.bench.standard.StandardLoad;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The options of {@code bench} that only {@code --drivers standard} uses, and their checks; a {@code
 * bench} mixin. Options that both drivers read (with defaults of their own) stay in {@link BenchCommand}.
 */
final class StandardOptions {

    static final int MAX_ROUNDS = 9;

    @Option(
            names = "--loads",
            defaultValue = "grpc-unary,grpc-streaming,h2c,http1",
            split = ",",
            description = "With --drivers standard: the rows to run. Default: ${DEFAULT-VALUE}.")
    List<String> loads;

    @Option(
            names = "--rounds",
            description = "With --drivers standard: load every target this many times (1 to 9), the targets taking"
                    + " turns round after round, and report each target's round with the median throughput,"
                    + " with every round listed (a shared machine's noise falls on one round, not on the"
                    + " figures). Default: 1.")
    Integer rounds;

    /** --loads, blanks dropped; refused when one is unknown or given twice, or none is left. */
    List<StandardLoad> loads() {
        List<StandardLoad> out = new ArrayList<>();
        for (String l : loads) {
            if (l.isBlank()) {
                continue;
            }
            StandardLoad load = StandardLoad.parse(l);
            if (out.contains(load)) {
                throw new IllegalArgumentException("--loads: '" + l + "' given twice");
            }
            out.add(load);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--loads: give at least one of grpc-unary, grpc-streaming, h2c, http1");
        }
        return out;
    }

    /** --rounds, 1 when not given; refused outside [1, {@value #MAX_ROUNDS}]. */
    int rounds() {
        int r = rounds != null ? rounds : 1;
        if (r < 1 || r > MAX_ROUNDS) {
            throw new IllegalArgumentException("--rounds must be in [1, " + MAX_ROUNDS + "], was " + r);
        }
        return r;
    }

    /** --rounds is the standard clients' (with own,standard it applies to the standard part). */
    void refuseRoundsWithoutStandard(Set<String> drivers) {
        if (!drivers.contains("standard") && rounds != null && rounds != 1) {
            throw new IllegalArgumentException("--rounds " + rounds + ": only --drivers standard runs rounds (the own"
                    + " protocol finds each path's maximum once, then runs its ladder); drop --rounds or add"
                    + " --drivers standard");
        }
    }
}
