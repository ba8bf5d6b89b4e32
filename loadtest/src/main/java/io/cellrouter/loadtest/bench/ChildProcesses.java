package io.cellrouter.loadtest.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The processes a benchmark starts, and the promise that it stops them all: on {@link #close()},
 * and from a shutdown hook on Ctrl-C or SIGTERM. Each child's output goes to a log file in the
 * benchmark's folder. Java children started with {@code --exit-on-stdin-eof} also exit when this
 * process dies without running its hooks, because their stdin (a pipe from here) closes.
 *
 * <p>Stopping: SIGTERM to each child and its descendants (nginx workers) in reverse start order,
 * then SIGKILL to whatever is still alive after 5 seconds.
 */
public final class ChildProcesses implements AutoCloseable {

    /** A started child: its name (for messages), the process and its log file. */
    public record Child(String name, Process process, Path log) {
        /** The last lines of the log, for an error message. */
        public String logTail() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }
    }

    private final List<Child> children = new ArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "bench-stop-children");
    private boolean stopped;

    public ChildProcesses() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public synchronized Child start(String name, List<String> command, Path workDir) throws IOException {
        if (stopped) {
            throw new IllegalStateException("already stopped");
        }
        Path log = workDir.resolve(name + ".log");
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Child child = new Child(name, process, log);
        children.add(child);
        return child;
    }

    /** Stops every child (idempotent). */
    public synchronized void stopAll() {
        if (stopped) {
            return;
        }
        stopped = true;
        List<ProcessHandle> all = new ArrayList<>();
        for (int i = children.size() - 1; i >= 0; i--) {
            Process p = children.get(i).process();
            p.descendants().forEach(all::add);
            all.add(p.toHandle());
        }
        for (ProcessHandle h : all) {
            h.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or has run.
        }
    }
}
