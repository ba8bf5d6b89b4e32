package io.cellrouter.router.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Programs from the operating system that some tests run (Prometheus's {@code prometheus} and
 * {@code promtool}, from the Debian package {@code prometheus}). {@code scripts/test-tools.sh}
 * installs them; a test that needs one that is missing fails and says so: it is never skipped.
 */
public final class ExternalTools {

    private ExternalTools() {}

    /** The executable {@code name} on the PATH (or in /usr/bin, /usr/sbin), else an error saying how to get it. */
    public static Path require(String name, String debianPackage) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        dirs.add(Path.of("/usr/bin"));
        dirs.add(Path.of("/usr/sbin"));
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("`" + name + "` is not installed (Debian package " + debianPackage
                + "): run scripts/test-tools.sh as root (.ci/run does) or `apt-get install " + debianPackage + "`");
    }

    /** What a finished program printed, and its exit code. */
    public record Result(int exitCode, String output) {}

    /** Runs a program to completion (at most two minutes), stdout and stderr together. */
    public static Result run(Path workDir, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The repository's root: the first parent of the working directory that holds {@code deploy/}. */
    public static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/ folder above " + Path.of("").toAbsolutePath());
    }
}
