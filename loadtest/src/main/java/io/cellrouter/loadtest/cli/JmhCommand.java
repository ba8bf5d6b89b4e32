package io.cellrouter.loadtest.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code jmh [JMH ARGS]}: the hot-path micro-benchmarks, through JMH's own command line. */
@Command(
        name = "jmh",
        description = {
            "Run the JMH benchmarks of the router's hot path (io.cellrouter.loadtest.jmh: identity"
                    + " extraction, resolve on a cache hit). Every argument goes to JMH (try '-h').",
            "Without arguments: io.cellrouter.loadtest.jmh -prof gc -f 3 -wi 5 -w 1s -i 5 -r 1s"
        })
public final class JmhCommand implements Callable<Integer> {

    static final List<String> DEFAULTS = List.of(
            "io.cellrouter.loadtest.jmh", "-prof", "gc", "-f", "3", "-wi", "5", "-w", "1s", "-i", "5", "-r", "1s");

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> jmh = args.isEmpty() ? DEFAULTS : args;
        CommandLineOptions options = new CommandLineOptions(jmh.toArray(String[]::new));
        if (options.shouldHelp()) {
            options.showHelp();
            return 0;
        }
        if (options.shouldList()) {
            new Runner(options).list();
            return 0;
        }
        return new Runner(options).run().isEmpty() ? 1 : 0;
    }
}
