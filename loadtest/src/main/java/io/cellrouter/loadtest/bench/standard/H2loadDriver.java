package io.cellrouter.loadtest.bench.standard;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * h2c with h2load: {@code h2load -c16 -m10 -D <duration> --warm-up-time=<warm-up>}, GET, HTTP/2
 * with prior knowledge. h2load sends the same headers on every request, so every request carries
 * {@code x-customer-id: c0}: routed by header, to one cell.
 */
public final class H2loadDriver implements Driver {

    static final int CLIENTS = 16;
    static final int STREAMS = 10;
    static final String CUSTOMER = "c0";

    private final Optional<Path> h2load;

    H2loadDriver(Optional<Path> h2load) {
        this.h2load = h2load;
    }

    @Override
    public String tool() {
        return h2load.map(p -> ToolProcess.firstLine(List.of(p.toString(), "--version"), "h2load"))
                .orElse("h2load");
    }

    @Override
    public String description() {
        return "h2load -c" + CLIENTS + " -m" + STREAMS + ", GET over h2c (prior knowledge), "
                + StandardBench.CUSTOMER_HEADER + ": " + CUSTOMER + " on every request";
    }

    @Override
    public Optional<String> missing() {
        return h2load.isPresent()
                ? Optional.empty()
                : Optional.of("h2load is not installed: apt-get install -y nghttp2-client");
    }

    @Override
    public void probe(URI target, Path workDir) throws DriverException, InterruptedException {
        List<String> c = new ArrayList<>();
        c.add(executable());
        c.addAll(List.of("-n1", "-c1", "-m1", "-H", StandardBench.CUSTOMER_HEADER + ": " + CUSTOMER, url(target)));
        ToolProcess.Output out = ToolProcess.run("h2load-probe", c, workDir, Duration.ofSeconds(10));
        DriverResult r = check(out);
        if (r.requests() != 1 || r.errors() != 0) {
            throw new DriverException(
                    "h2load's one request to " + target + " failed; its output (" + out.log() + "):\n" + out.tail());
        }
    }

    @Override
    public DriverResult run(Run run) throws DriverException, InterruptedException {
        return check(ToolProcess.run(
                "h2load-" + run.targetName(),
                command(run.target(), run.warmup(), run.duration()),
                run.workDir(),
                run.warmup().plus(run.duration()).plusSeconds(30)));
    }

    List<String> command(URI target, Duration warmup, Duration duration) {
        List<String> c = new ArrayList<>();
        c.add(executable());
        c.addAll(List.of(
                "-c" + CLIENTS,
                "-m" + STREAMS,
                "-D",
                String.valueOf(duration.toSeconds()),
                "--warm-up-time=" + warmup.toSeconds(),
                "-H",
                StandardBench.CUSTOMER_HEADER + ": " + CUSTOMER,
                url(target)));
        return c;
    }

    private String executable() {
        return h2load.map(Path::toString).orElse("h2load");
    }

    private static String url(URI target) {
        return target.resolve("/").toString();
    }

    private static DriverResult check(ToolProcess.Output out) throws DriverException {
        try {
            DriverResult r = H2loadOutputParser.parse(out.text());
            if (out.exitCode() != 0) {
                throw new DriverException("h2load exited with " + out.exitCode());
            }
            return r;
        } catch (DriverException e) {
            throw new DriverException(e.getMessage() + "; its output (" + out.log() + "):\n" + out.tail(), e);
        }
    }
}
