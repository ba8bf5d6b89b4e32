package io.cellrouter.loadtest.load;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * One load run, validated once. Every bound here exists so that a typo cannot turn the generator
 * into something that runs for a day or opens more sockets than the machine has.
 *
 * @param targets where connections go (spread round-robin); loopback addresses only
 * @param protocol http1, h2c or grpc
 * @param closedLoop false: open loop at {@code rate}; true: every connection sends its next request
 *     as soon as the last one is answered (used to find the maximum throughput; {@code rate} unused)
 * @param rate requests per second, open loop
 * @param duration the measured time
 * @param warmup the same load before {@code duration}, not recorded
 * @param connections connections (gRPC: channels) in total
 * @param threads event loops of the generator
 * @param customers how requests spread over customers
 * @param identities how a request names its customer
 * @param path the request path (gRPC: unused)
 * @param timeout a request not answered this long after its intended send time is a timeout
 * @param streamsPerConnection h2c and gRPC: most requests in flight on one connection
 * @param grpcCall which Echo method
 * @param grpcReplies replies per {@code ServerStream} call
 * @param payloadBytes gRPC message payload size
 * @param seed for the customer draws
 * @param postFraction http1: the share of requests sent as {@code POST} with a {@link #POST_BODY_BYTES}
 *     body instead of {@code GET} (spread evenly on each connection); 0: every request a GET
 */
public record LoadPlan(
        List<URI> targets,
        Protocol protocol,
        boolean closedLoop,
        double rate,
        Duration duration,
        Duration warmup,
        int connections,
        int threads,
        CustomerDistribution customers,
        Identities identities,
        String path,
        Duration timeout,
        int streamsPerConnection,
        GrpcCall grpcCall,
        int grpcReplies,
        int payloadBytes,
        long seed,
        double postFraction) {

    /** The body of each POST of a mixed run. */
    public static final int POST_BODY_BYTES = 64;

    public static final double MAX_RATE = 2_000_000;
    public static final Duration MAX_DURATION = Duration.ofHours(1);
    public static final int MAX_CONNECTIONS = 8_000;

    public LoadPlan {
        targets = List.copyOf(targets);
        requireNonNull(protocol, "protocol");
        requireNonNull(customers, "customers");
        requireNonNull(identities, "identities");
        requireNonNull(grpcCall, "grpcCall");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("at least one --target is needed");
        }
        for (URI target : targets) {
            checkTarget(target);
        }
        if (!closedLoop && !(rate > 0 && rate <= MAX_RATE)) {
            throw new IllegalArgumentException("rate must be in (0, " + (long) MAX_RATE + "], was " + rate);
        }
        checkDuration("duration", duration, Duration.ofMillis(100));
        if (warmup == null || warmup.isNegative() || warmup.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("warmup must be in [0, 1h], was " + warmup);
        }
        checkDuration("timeout", timeout, Duration.ofMillis(1));
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connections must be in [1, " + MAX_CONNECTIONS
                    + "] (the fd limit here is 20000), was " + connections);
        }
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads must be in [1, 64], was " + threads);
        }
        if (threads > connections) {
            threads = connections;
        }
        if (streamsPerConnection < 1 || streamsPerConnection > 10_000) {
            throw new IllegalArgumentException("streams must be in [1, 10000], was " + streamsPerConnection);
        }
        if (grpcReplies < 1 || grpcReplies > 10_000) {
            throw new IllegalArgumentException("grpc replies must be in [1, 10000], was " + grpcReplies);
        }
        if (payloadBytes < 0 || payloadBytes > 1 << 20) {
            throw new IllegalArgumentException("payload must be in [0, 1 MiB], was " + payloadBytes);
        }
        if (path == null || !path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("path must start with '/' and be printable ASCII, was '" + path + "'");
        }
        if (!(postFraction >= 0 && postFraction <= 1)) {
            throw new IllegalArgumentException("post fraction must be in [0, 1], was " + postFraction);
        }
        if (postFraction > 0 && protocol != Protocol.HTTP1) {
            throw new IllegalArgumentException("a POST mix is only for --protocol http1");
        }
    }

    /** The requests of the whole run (warm-up included), open loop. */
    public long totalRequests() {
        return (long) Math.floor(rate * (warmup.toNanos() + duration.toNanos()) / 1e9);
    }

    public long intervalNanos() {
        return Math.max(1, Math.round(1e9 / rate));
    }

    private static void checkDuration(String name, Duration value, Duration min) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(name + " must be in [" + min.toMillis() + "ms, 1h], was " + value);
        }
    }

    /** Only http:// URLs on this machine: the generator never sends traffic anywhere else. */
    static void checkTarget(URI target) {
        if (target == null || !"http".equals(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("target must be an http://HOST:PORT URL, was '" + target + "'");
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(target.getHost())) {
                if (!address.isLoopbackAddress()) {
                    throw new IllegalArgumentException("target " + target + " is not a loopback address ("
                            + address.getHostAddress() + "): this tool only loads servers on this machine");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("target " + target + ": unknown host", e);
        }
    }

    public static int port(URI target) {
        return target.getPort() > 0 ? target.getPort() : 80;
    }

    /** host:port as the Host header / :authority. */
    public static String authority(URI target) {
        return target.getHost() + ":" + port(target);
    }
}
