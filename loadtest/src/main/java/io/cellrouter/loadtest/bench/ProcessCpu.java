package io.cellrouter.loadtest.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The CPU time a process and its descendants (nginx's workers) have used, from Linux's per-thread
 * {@code /proc/<pid>/task/<tid>/schedstat}: nanoseconds on a CPU, where {@code /proc/<pid>/stat}
 * counts 10 ms ticks and undercounts threads that sleep and wake thousands of times a second,
 * as a proxy's do. Threads that ended between two readings take their time with them; a proxy's
 * threads live as long as it does.
 */
public final class ProcessCpu {

    private static final Path PROC = Path.of("/proc");

    private ProcessCpu() {}

    /** Nanoseconds on a CPU so far; empty where there is no {@code /proc} schedstat (not Linux). */
    public static OptionalLong nanos(ProcessHandle process) {
        if (!Files.isReadable(PROC.resolve(Long.toString(process.pid())).resolve("task"))) {
            return OptionalLong.empty();
        }
        try (Stream<ProcessHandle> descendants = process.descendants()) {
            return OptionalLong.of(Stream.concat(Stream.of(process), descendants)
                    .mapToLong(p -> ofProcess(p.pid()))
                    .sum());
        }
    }

    /**
     * CPU time so far: {@link #nanos} where Linux has schedstat, else the JDK's user and system
     * time of the process and its descendants (in ticks).
     */
    public static Duration of(ProcessHandle process) {
        OptionalLong nanos = nanos(process);
        if (nanos.isPresent()) {
            return Duration.ofNanos(nanos.getAsLong());
        }
        try (Stream<ProcessHandle> descendants = process.descendants()) {
            return Stream.concat(Stream.of(process), descendants)
                    .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                    .reduce(Duration.ZERO, Duration::plus);
        }
    }

    private static long ofProcess(long pid) {
        long sum = 0;
        try (DirectoryStream<Path> tasks =
                Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                sum += ofThread(task.resolve("schedstat"));
            }
        } catch (NoSuchFileException e) {
            return sum; // the process ended: it used no more
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the threads of process " + pid + ": " + e.getMessage(), e);
        }
        return sum;
    }

    private static long ofThread(Path schedstat) throws IOException {
        try {
            String line = Files.readString(schedstat);
            return Long.parseLong(line.substring(0, line.indexOf(' ')));
        } catch (NoSuchFileException e) {
            return 0; // the thread ended between listing and reading
        }
    }
}
