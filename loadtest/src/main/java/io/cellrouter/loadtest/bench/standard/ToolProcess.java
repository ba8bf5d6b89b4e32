package io.cellrouter.loadtest.bench.standard;

import io.cellrouter.loadtest.bench.ChildProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a load client to its end and returns what it printed. Output goes to a log file in the
 * work folder (kept with {@code --keep-files}); a client still running after its timeout, or when
 * the bench is stopped, is stopped too.
 */
final class ToolProcess {

    /** What a finished client printed (stdout and stderr together) and its exit code. */
    record Output(String text, int exitCode, Path log) {

        /** The last lines, for an error message. */
        String tail() {
            List<String> lines = text.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size()));
        }
    }

    private ToolProcess() {}

    static Output run(String name, List<String> command, Path workDir, Duration timeout)
            throws DriverException, InterruptedException {
        try (ChildProcesses children = new ChildProcesses()) {
            ChildProcesses.Child child;
            try {
                child = children.start(name, command, workDir);
            } catch (IOException e) {
                throw new DriverException("could not start " + command.get(0) + ": " + e.getMessage(), e);
            }
            if (!child.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DriverException(name + " still running after " + timeout.toSeconds()
                        + " s, stopped; its log (" + child.log() + "):\n" + child.logTail());
            }
            String text;
            try {
                text = Files.readString(child.log(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DriverException("could not read " + child.log() + ": " + e.getMessage(), e);
            }
            return new Output(text, child.process().exitValue(), child.log());
        }
    }

    /** The first line a command prints (its version), or {@code fallback}. */
    static String firstLine(List<String> command, String fallback) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().map(String::strip).orElse(fallback);
        } catch (IOException e) {
            return fallback;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }
}
