package io.cellrouter.loadtest.bench.standard;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Which round of a target the bench reports when it loaded the target several times ({@code
 * --rounds}): the round with the median throughput among the rounds that produced a result. A
 * failed round has no result and is left out, so one failure does not hide the target's other
 * rounds. For an even count it is the lower-middle round: a single lucky round never lifts the
 * figure. Equal throughputs keep run order. A round whose client counted failed requests still
 * has a result and takes part (the report marks it, as it marks any run with failed requests).
 */
final class MedianRound {

    private MedianRound() {}

    /** Index in {@code rounds} (run order) of the median round; -1 when no round has a result. */
    static int index(List<StandardBench.Measurement> rounds) {
        List<Integer> measured = IntStream.range(0, rounds.size())
                .filter(i -> rounds.get(i).result() != null)
                .boxed()
                .sorted(Comparator.comparingDouble(
                        (Integer i) -> rounds.get(i).result().requestsPerSecond()))
                .toList();
        return measured.isEmpty() ? -1 : measured.get((measured.size() - 1) / 2);
    }

    /** Rounds that produced a result. */
    static long measured(List<StandardBench.Measurement> rounds) {
        return rounds.stream().filter(m -> m.result() != null).count();
    }

    /**
     * The measurement the report shows for the target: its median round; the only round when there
     * was one; when every round failed, a failure that says so with the first round's reason.
     */
    static StandardBench.Measurement reported(List<StandardBench.Measurement> rounds) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        int median = index(rounds);
        if (median >= 0) {
            return rounds.get(median);
        }
        StandardBench.Measurement first = rounds.get(0);
        if (rounds.size() == 1) {
            return first;
        }
        String description = rounds.stream()
                .map(StandardBench.Measurement::description)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
        return StandardBench.Measurement.failed(
                first.target(), description, "failed in all " + rounds.size() + " rounds; round 1: " + first.problem());
    }
}
