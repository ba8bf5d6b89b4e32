package io.cellrouter.router.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.router.config.IdentitySpec.HeaderSpec;
import io.cellrouter.router.config.IdentitySpec.HostSpec;
import io.cellrouter.router.config.IdentitySpec.PathSpec;
import io.cellrouter.router.config.IdentitySpec.QuerySpec;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    private final IdentityResolver resolver = IdentityResolver.fromConfig(List.of(
            new HeaderSpec("x-customer-id"),
            new HostSpec(Pattern.compile("^(?<customer>[a-z0-9-]+)\\.api\\.example\\.com$")),
            new PathSpec(Pattern.compile("^/v1/customers/(?<customer>[^/]+)/")),
            new QuerySpec("customer")));

    private static RequestHead request(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return new HttpRequestHead(r, RequestTarget.parse(uri));
    }

    @Test
    void header() {
        assertThat(resolver.identify(request("/", "X-Customer-Id", "acme")))
                .isEqualTo(new Identity("acme", null, "header"));
    }

    @Test
    void host_ignoresPortAndCase() {
        assertThat(resolver.identify(request("/", "Host", "Globex.API.example.com:8443"))
                        .customer())
                .isEqualTo("globex");
    }

    @Test
    void host_thatDoesNotMatch_fallsThrough() {
        assertThat(resolver.identify(request("/?customer=q", "Host", "www.example.com"))
                        .source())
                .isEqualTo("query");
    }

    @Test
    void path() {
        assertThat(resolver.identify(request("/v1/customers/initech/orders?x=1"))
                        .customer())
                .isEqualTo("initech");
    }

    @Test
    void query() {
        assertThat(resolver.identify(request("/a?b=1&customer=umbrella")).customer())
                .isEqualTo("umbrella");
    }

    @Test
    void order_firstSourceWins() {
        assertThat(resolver.identify(request("/v1/customers/p/x?customer=q", "x-customer-id", "h"))
                        .customer())
                .isEqualTo("h");
    }

    @Test
    void none_isMissingIdentity() {
        assertThatThrownBy(() -> resolver.identify(request("/")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_IDENTITY));
    }

    @Test
    void invalidCustomerId_isMalformed() {
        assertThatThrownBy(() -> resolver.identify(request("/", "x-customer-id", "a/b")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
    }

    @Test
    void twoIdentityHeaders_areAmbiguous() {
        assertThatThrownBy(() -> resolver.identify(request("/", "x-customer-id", "acme", "x-customer-id", "globex")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    @Test
    void identityHeaderHoldingAList_isAmbiguous() {
        assertThatThrownBy(() -> resolver.identify(request("/", "x-customer-id", "acme,globex")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    @Test
    void repeatedQueryParameter_isAmbiguous_evenWhenEncodedOrSeparatedBySemicolon() {
        for (String uri :
                new String[] {"/?customer=a&customer=b", "/?customer=a&%63ustomer=b", "/?customer=a;customer=b"}) {
            assertThatThrownBy(() -> resolver.identify(request(uri)))
                    .as(uri)
                    .isInstanceOfSatisfying(
                            RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
        }
    }

    /**
     * Spellings frameworks read as the same parameter ({@code Customer}: ASP.NET; {@code
     * customer[]}: PHP, Rails, Node's qs): the cell could read another customer than the router
     * routed, so they are refused, beside {@code customer} or alone.
     */
    @Test
    void queryParameterSpelledAsFrameworksReadIt_isAmbiguous() {
        for (String uri : new String[] {
            "/?customer=acme&Customer=globex",
            "/?customer=acme&customer[]=globex",
            "/?customer=acme&customer[0]=globex",
            "/?CUSTOMER=globex",
            "/?customer%5B%5D=globex",
            "/?customer=acme&customer[]x=globex",
            "/?customer=acme&customer[0]junk=globex",
            "/?customer=acme&+customer=globex",
            "/?customer=acme&%20customer=globex",
            "/?customer=acme&[customer]=globex",
            "/?customer=acme&customer[x=globex"
        }) {
            assertThatThrownBy(() -> resolver.identify(request(uri)))
                    .as(uri)
                    .isInstanceOfSatisfying(
                            RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
        }
    }

    /** PHP reads '.', ' ' and '[' in a name as '_': a parameter with one is refused in those spellings too. */
    @Test
    void queryParameterWithAnUnderscore_spelledAsPhpReadsIt_isAmbiguous() {
        IdentityResolver byQuery = IdentityResolver.fromConfig(List.of(new QuerySpec("customer_id")));
        for (String uri : new String[] {"/?customer.id=globex", "/?customer%20id=globex", "/?customer[id=globex"}) {
            assertThatThrownBy(() -> byQuery.identify(request(uri)))
                    .as(uri)
                    .isInstanceOfSatisfying(
                            RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
        }
        assertThat(byQuery.identify(request("/?customer_id=acme&customerid=x")))
                .isEqualTo(new Identity("acme", null, "query"));
        // And back: a parameter named with a '.' is refused spelled with '_'.
        IdentityResolver byDotted = IdentityResolver.fromConfig(List.of(new QuerySpec("customer.id")));
        assertThatThrownBy(() -> byDotted.identify(request("/?customer.id=acme&customer_id=globex")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    /** Names that only begin like the parameter are other parameters. */
    @Test
    void queryParametersThatOnlyBeginLikeIt_areOtherParameters() {
        for (String uri : new String[] {"/?customer=acme&customerName=Globex", "/?customer=acme&filter[customer]=x"}) {
            assertThat(resolver.identify(request(uri))).as(uri).isEqualTo(new Identity("acme", null, "query"));
        }
    }

    @Test
    void path_isMatchedAfterNormalisation() {
        assertThat(resolver.identify(request("/v1/customers/acme/../../customers/globex/x"))
                        .customer())
                .isEqualTo("globex");
    }

    @Test
    void twoHostHeaders_areAmbiguous() {
        assertThatThrownBy(() -> resolver.identify(
                        request("/", "Host", "acme.api.example.com", "Host", "globex.api.example.com")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.AMBIGUOUS_IDENTITY));
    }

    /** An optional customer group that took no part in the match names no one: the next source, then 401. */
    @Test
    void optionalCustomerGroup_notMatched_fallsThroughToTheNextSource_thenMissingIdentity() {
        IdentityResolver optional = IdentityResolver.fromConfig(List.of(
                new HostSpec(Pattern.compile("^(?:(?<customer>[a-z0-9-]+)\\.)?api\\.example\\.com$")),
                new PathSpec(Pattern.compile("^/(?:v1/customers/(?<customer>[^/]+)/)?")),
                new QuerySpec("customer")));

        assertThat(optional.identify(request("/x?customer=q", "Host", "api.example.com")))
                .isEqualTo(new Identity("q", null, "query"));
        assertThat(optional.identify(request("/v1/customers/p/x", "Host", "api.example.com")))
                .isEqualTo(new Identity("p", null, "path"));
        assertThat(optional.identify(request("/", "Host", "acme.api.example.com")))
                .isEqualTo(new Identity("acme", null, "host"));
        assertThatThrownBy(() -> optional.identify(request("/x", "Host", "api.example.com")))
                .isInstanceOfSatisfying(
                        RouterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_IDENTITY));
    }
}
