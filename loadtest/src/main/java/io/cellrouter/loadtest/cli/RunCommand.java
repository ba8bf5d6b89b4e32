package io.cellrouter.loadtest.cli;

import io.cellrouter.loadtest.load.CustomerDistribution;
import io.cellrouter.loadtest.load.GrpcCall;
import io.cellrouter.loadtest.load.Identities;
import io.cellrouter.loadtest.load.LoadGenerator;
import io.cellrouter.loadtest.load.LoadPlan;
import io.cellrouter.loadtest.load.Protocol;
import io.cellrouter.loadtest.load.RunResult;
import io.cellrouter.loadtest.report.PercentilePlot;
import io.cellrouter.loadtest.report.RunReport;
import io.cellrouter.router.cli.DurationConverter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.HistogramLogWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run}: one open-loop (or closed-loop) load against one target (docs/BENCHMARKS.md). */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Open-loop constant-rate load: requests are sent at their intended times whatever the"
                    + " server does, and latency is measured from the intended time (coordinated"
                    + " omission corrected). Loopback targets only.",
            "Progress each second on stderr; the report on stdout (text, or JSON with --json)."
        })
public final class RunCommand implements Callable<Integer> {

    @Option(
            names = "--target",
            required = true,
            description = "http://HOST:PORT of the server (repeat to spread connections round-robin).")
    List<URI> targets;

    @Option(
            names = "--protocol",
            defaultValue = "http1",
            description = "http1 (keep-alive, one request per connection at a time), h2c (multiplexed"
                    + " streams) or grpc (grpc-java, cellrouter.loadtest.Echo). Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--rate", description = "Requests per second (open loop). Required unless --closed-loop.")
    Double rate;

    @Option(
            names = "--closed-loop",
            description = "Send the next request as soon as a connection is free (finds the maximum"
                    + " throughput; latency is then service time only).")
    boolean closedLoop;

    @Option(
            names = "--duration",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Measured time. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--warmup",
            defaultValue = "0s",
            converter = DurationConverter.class,
            description = "Same load before the measured time, not recorded. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--connections", defaultValue = "16", description = "Connections. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--customers",
            defaultValue = "1000",
            description = "Customer ids c0..cK-1. Default: ${DEFAULT-VALUE}.")
    int customers;

    @Option(
            names = "--zipf",
            description = "Zipf exponent S for the customer draw (c0 most frequent); uniform without it.")
    Double zipf;

    @ArgGroup(exclusive = true)
    IdentityOptions identity = new IdentityOptions();

    static final class IdentityOptions {
        @Option(names = "--header", description = "Header that carries the customer id. Default: x-customer-id.")
        String header;

        @Option(
                names = "--bearer-tokens",
                description = "File of bearer tokens: one per line ('TOKEN' for c0, c1, ... in order, or"
                        + " 'cN TOKEN'); sent as 'authorization: Bearer TOKEN'.")
        Path bearerTokens;

        @Option(
                names = "--hmac-secret",
                description = "Mint an HS256 token per customer with this secret (claim --token-claim)"
                        + " and send it as a bearer token.")
        String hmacSecret;
    }

    @Option(
            names = "--token-claim",
            defaultValue = "sub",
            description = "Claim holding the customer id in minted tokens. Default: ${DEFAULT-VALUE}.")
    String tokenClaim;

    @Option(names = "--path", defaultValue = "/", description = "Request path (http1, h2c). Default: ${DEFAULT-VALUE}.")
    String path;

    @Option(
            names = "--post-fraction",
            defaultValue = "0",
            description = "http1: this share of the requests is sent as POST with a 64-byte body, spread evenly"
                    + " (0.5: every other request on a connection). Default: ${DEFAULT-VALUE} (all GET).")
    double postFraction;

    @Option(
            names = "--timeout",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description =
                    "A request unanswered this long after its intended time is a timeout. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Event loops of the generator. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--streams",
            defaultValue = "100",
            description = "h2c and grpc: most requests in flight per connection. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(
            names = "--grpc-call",
            defaultValue = "unary",
            description = "unary, server-stream or bidi. Default: ${DEFAULT-VALUE}.")
    String grpcCall;

    @Option(
            names = "--grpc-replies",
            defaultValue = "10",
            description = "Replies per server-stream call. Default: ${DEFAULT-VALUE}.")
    int grpcReplies;

    @Option(names = "--payload", defaultValue = "16", description = "gRPC payload bytes. Default: ${DEFAULT-VALUE}.")
    int payload;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the customer draw. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--json", description = "Print the report as one JSON object (docs/BENCHMARKS.md).")
    boolean json;

    @Option(names = "--histogram", description = "Write the interval histograms to FILE (HdrHistogram log, ns).")
    Path histogram;

    @Option(names = "--plot", description = "Write the percentile distribution to FILE (self-contained HTML).")
    Path plot;

    @Option(names = "--quiet", description = "No progress line.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        LoadPlan plan = plan();
        RunResult result;
        if (histogram != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(histogram), false, StandardCharsets.UTF_8)) {
                result = new LoadGenerator(plan).run(quiet ? null : System.err, new HistogramLogWriter(out));
            }
        } else {
            result = new LoadGenerator(plan).run(quiet ? null : System.err, null);
        }
        if (plot != null) {
            Files.writeString(
                    plot,
                    PercentilePlot.html(
                            "cell-loadtest run: " + plan.protocol().label() + " " + plan.targets(),
                            RunReport.text(result).lines().findFirst().orElse(""),
                            List.of(new PercentilePlot.Series(plan.protocol().label(), result.latency()))));
        }
        System.out.print(json ? RunReport.json(result) + "\n" : RunReport.text(result));
        System.out.flush();
        return 0;
    }

    LoadPlan plan() throws IOException {
        if (!closedLoop && rate == null) {
            throw new IllegalArgumentException("--rate is required (or --closed-loop)");
        }
        Protocol p = parseEnum(Protocol.class, protocol, "--protocol");
        GrpcCall call = parseEnum(GrpcCall.class, grpcCall.replace('-', '_'), "--grpc-call");
        CustomerDistribution distribution =
                zipf == null ? CustomerDistribution.uniform(customers) : CustomerDistribution.zipf(customers, zipf);
        Identities identities;
        if (identity.bearerTokens != null) {
            identities = Identities.bearerFile(identity.bearerTokens, customers);
        } else if (identity.hmacSecret != null) {
            byte[] secret = identity.hmacSecret.getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalArgumentException("--hmac-secret must be at least 32 bytes for HS256");
            }
            identities = Identities.hmac(secret, tokenClaim, Duration.ofHours(24), customers);
        } else {
            identities = Identities.header(identity.header == null ? "x-customer-id" : identity.header);
        }
        return new LoadPlan(
                targets,
                p,
                closedLoop,
                closedLoop ? 0 : rate,
                duration,
                warmup,
                connections,
                threads,
                distribution,
                identities,
                path,
                timeout,
                streams,
                call,
                grpcReplies,
                payload,
                seed,
                postFraction);
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String option) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": unknown value '" + value + "'");
        }
    }
}
