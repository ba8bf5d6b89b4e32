package io.cellrouter.router.routing;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.Identity;
import io.cellrouter.router.identity.IdentityResolver;
import io.cellrouter.router.identity.RequestHead;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The routing decision for one request (README: How a request is routed): identity first (synchronously, on the
 * event loop: it only reads headers), then the cell from the {@link Resolver}. Refusals become a
 * {@link RouterException} with the code of the table; the future never carries another failure.
 *
 * <p>On a cache hit the returned future is already complete, so the caller continues on the same
 * stack without a thread hop.
 */
public final class RequestRouter {

    private final IdentityResolver identities;
    private final Resolver resolver;

    public RequestRouter(IdentityResolver identities, Resolver resolver) {
        this.identities = identities;
        this.resolver = resolver;
    }

    /** The header fields identity is read from ({@link IdentityResolver#headerFields()}). */
    public List<AsciiString> identityFields() {
        return identities.headerFields();
    }

    /**
     * Who the request is for. Throws {@link RouterException}: 404 for any spelling of the admin
     * API's paths (served on the admin listener only; never forwarded to a cell), 401 or 400 when
     * no single valid identity is found.
     */
    public Identity identify(RequestHead request) {
        if (request.target().isAdminPath()) {
            throw new RouterException(ErrorCode.NOT_FOUND, "no such path on the proxy listener");
        }
        return identities.identify(request);
    }

    /**
     * The routing decision for {@code identity}; on a cache hit the future is complete already (and
     * shared: nothing is allocated). {@link #toRoute} turns it into a route or the error to answer.
     */
    public CompletableFuture<Resolution> resolve(Identity identity) {
        return resolver.resolve(identity.customer(), identity.cellHint());
    }

    /**
     * The decision again after cell {@code disowningCell} answered that the customer is not its own:
     * the placement is read from the registry once more, bypassing the cache ({@link
     * Resolver#misrouted}). Completes on the store's thread when it had to read.
     */
    public CompletableFuture<Resolution> misrouted(Identity identity, String disowningCell) {
        return resolver.misrouted(identity.customer(), identity.cellHint(), disowningCell);
    }

    /** The customer's shadow that has not expired, or null (no allocation when there is none). */
    public Shadow shadow(String customer) {
        return resolver.shadow(customer);
    }

    /** The cell of that name as last read from the registry, or null. Cells are few: a scan. */
    public Cell cell(String name) {
        for (Cell cell : resolver.cells()) {
            if (cell.name().equals(name)) {
                return cell;
            }
        }
        return null;
    }

    /** Where to send the request, or the {@link RouterException} to answer with. */
    public static Route toRoute(Identity identity, Resolution r) {
        String customer = identity.customer();
        switch (r.outcome()) {
            case ROUTE:
                return new Route(identity, r.cell(), r.source());
            case FROZEN:
                throw new RouterException(
                        ErrorCode.CUSTOMER_FROZEN,
                        "customer " + customer + " is being moved between cells; retry shortly",
                        r.retryAfter());
            case CELL_OFFLINE:
                throw new RouterException(
                        ErrorCode.CELL_OFFLINE, "cell " + r.cell().name() + " is offline", r.retryAfter());
            case UNKNOWN_CUSTOMER:
                throw new RouterException(ErrorCode.UNKNOWN_CUSTOMER, "customer " + customer + " is not known");
            case REGISTRY_UNAVAILABLE:
                throw new RouterException(
                        ErrorCode.REGISTRY_UNAVAILABLE,
                        "the cell registry is unavailable and customer " + customer + " is not cached",
                        r.retryAfter());
            case UNKNOWN_CELL:
            default:
                throw new RouterException(
                        ErrorCode.CELL_UNREACHABLE, "the cell of customer " + customer + " is not in the registry");
        }
    }
}
