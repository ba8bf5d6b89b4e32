package io.cellrouter.router.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (the Debian package's {@code haproxy}) in front of the router, in a process of its
 * own: TCP frontends on free loopback ports, each relaying to one address with the given server
 * options (e.g. {@code send-proxy-v2}). {@code scripts/test-tools.sh} installs it.
 */
public final class Haproxy implements AutoCloseable {

    /** One frontend: where haproxy listens ({@code 127.0.0.1} or {@code ::1}) and what it relays to. */
    public record Frontend(String bindHost, InetSocketAddress target, String serverOptions) {}

    private final Process process;
    private final Path log;
    private final List<InetSocketAddress> listening;

    private Haproxy(Process process, Path log, List<InetSocketAddress> listening) {
        this.process = process;
        this.log = log;
        this.listening = listening;
    }

    /** Starts haproxy with {@code frontends} and waits until every one accepts connections. */
    public static Haproxy start(Path workDir, List<Frontend> frontends) throws IOException {
        Path binary = ExternalTools.require("haproxy", "haproxy");
        StringBuilder config = new StringBuilder(
                """
                global
                  maxconn 256
                defaults
                  mode tcp
                  timeout connect 5s
                  timeout client 60s
                  timeout server 60s
                """);
        List<InetSocketAddress> listening = new ArrayList<>();
        for (int i = 0; i < frontends.size(); i++) {
            Frontend frontend = frontends.get(i);
            int port = RouterProcess.freePort();
            String bind = frontend.bindHost().contains(":") ? "[" + frontend.bindHost() + "]" : frontend.bindHost();
            String target = frontend.target().getAddress().getHostAddress();
            config.append("frontend fe")
                    .append(i)
                    .append('\n')
                    .append("  bind ")
                    .append(bind)
                    .append(':')
                    .append(port)
                    .append('\n')
                    .append("  default_backend be")
                    .append(i)
                    .append('\n')
                    .append("backend be")
                    .append(i)
                    .append('\n')
                    .append("  server s")
                    .append(i)
                    .append(' ')
                    .append(target.contains(":") ? "[" + target + "]" : target)
                    .append(':')
                    .append(frontend.target().getPort())
                    .append(' ')
                    .append(frontend.serverOptions())
                    .append('\n');
            listening.add(new InetSocketAddress(frontend.bindHost(), port));
        }
        Path file = workDir.resolve("haproxy.cfg");
        Files.writeString(file, config);
        Path log = workDir.resolve("haproxy.log");
        Process process = new ProcessBuilder(binary.toString(), "-db", "-f", file.toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Haproxy haproxy = new Haproxy(process, log, listening);
        try {
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .until(haproxy::accepting);
        } catch (RuntimeException e) {
            String output = haproxy.log();
            haproxy.close();
            throw new IllegalStateException("haproxy did not start: " + output, e);
        }
        return haproxy;
    }

    /** Where frontend {@code index} listens. */
    public InetSocketAddress address(int index) {
        return listening.get(index);
    }

    private boolean accepting() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("haproxy exited with " + process.exitValue() + ": " + log());
        }
        for (InetSocketAddress address : listening) {
            try (Socket probe = new Socket()) {
                probe.connect(address, 1000);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    public String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
