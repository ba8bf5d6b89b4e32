package io.cellrouter.loadtest.jmh;

import io.cellrouter.router.config.IdentitySpec;
import io.cellrouter.router.config.IdentitySpec.HeaderSpec;
import io.cellrouter.router.config.IdentitySpec.HostSpec;
import io.cellrouter.router.config.IdentitySpec.PathSpec;
import io.cellrouter.router.config.IdentitySpec.QuerySpec;
import io.cellrouter.router.identity.HttpRequestHead;
import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.identity.IdentityResolver;
import io.cellrouter.router.identity.RequestTarget;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The router's identity step: {@code IdentityResolver.identify(request)} for each kind of source,
 * on requests as the HTTP/1.1 decoder builds them (1024 customers, cycled). Run with
 * {@code -prof gc} to see allocation per call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdentityBenchmark {

    private static final int N = 1024;

    @Param({"header", "host", "path", "query"})
    public String source;

    private IdentityResolver resolver;
    private HttpRequest[] requests;
    private int next;

    @Setup
    public void setUp() {

        IdentitySpec spec =
                switch (source) {
                    case "host" -> new HostSpec(Pattern.compile("^(?<customer>[a-z0-9-]+)\\.api\\.example\\.com$"));
                    case "path" -> new PathSpec(Pattern.compile("^/v1/customers/(?<customer>[^/]+)/"));
                    case "query" -> new QuerySpec("customer");
                    default -> new HeaderSpec("x-customer-id");
                };
        resolver = IdentityResolver.fromConfig(List.of(spec));
        requests = new HttpRequest[N];
        for (int i = 0; i < N; i++) {
            String customer = "customer-" + i;
            String uri = "/v1/customers/" + customer + "/orders?page=2&customer=" + customer;
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
            r.headers()
                    .set("host", customer + ".api.example.com")
                    .set("user-agent", "bench/1.0")
                    .set("accept", "application/json")
                    .set("x-customer-id", customer)
                    .set("x-request-id", "0123456789abcdef");
            requests[i] = r;
        }
    }

    /** What the relay does per request: normalise the target, then ask the sources. */
    @Benchmark
    public Identity identify() {
        HttpRequest r = requests[next++ & (N - 1)];
        return resolver.identify(new HttpRequestHead(r, RequestTarget.parse(r.uri())));
    }
}
