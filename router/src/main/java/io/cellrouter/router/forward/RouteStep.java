package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.RequestErrors;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.identity.RequestHead;
import io.cellrouter.router.routing.RequestRouter;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing step of an exchange, the same for HTTP/1.1 and HTTP/2: who the request is for
 * (identity, admin-path refusal), which cell (resolver: override, cache, registry, token hint,
 * default), then admission (the cell's and the customer's bulkheads). Fills the {@link
 * ExchangeLog}'s customer and cell (also for refusals, so that they count under their cell).
 *
 * <p>On a cache hit the whole step runs on the caller's stack; a registry read completes on the
 * store's thread and is handed back to {@code loop}.
 */
final class RouteStep {

    private static final Logger LOG = LoggerFactory.getLogger(RouteStep.class);

    /** Where the exchange goes on. */
    interface Outcome {
        /** Still waiting for the route (false once the client went away). */
        boolean routing();

        /** Routed to {@code log.cell} and admitted: the permit is the exchange's to release. */
        void routed(Bulkheads.Permit permit);

        /** Refused: the router answers with {@code error}. */
        void refused(RouterException error);
    }

    private RouteStep() {}

    static void start(ProxyContext context, RequestHead head, ExchangeLog log, EventExecutor loop, Outcome outcome) {
        try {
            log.identity = context.router().identify(head);
        } catch (RouterException e) {
            outcome.refused(e);
            return;
        } catch (RuntimeException e) {
            // A bug in an identity source must cost this request, not leave its exchange unanswered.
            LOG.warn("identifying a request failed unexpectedly", e);
            outcome.refused(RequestErrors.identifyingFailed(e));
            return;
        }
        CompletableFuture<Resolution> resolution = context.router().resolve(log.identity);
        if (resolution.isDone()) {
            resolved(context, resolution, log, outcome);
        } else {
            resolution.whenComplete((r, e) -> loop.execute(() -> resolved(context, resolution, log, outcome)));
        }
    }

    private static void resolved(
            ProxyContext context, CompletableFuture<Resolution> future, ExchangeLog log, Outcome outcome) {
        if (!outcome.routing()) {
            return; // the client went away meanwhile
        }
        Bulkheads.Permit permit;
        try {
            Resolution resolution = future.join();
            log.cell = resolution.cell(); // also for cell_offline and customer_frozen: their cell's meters
            RequestRouter.toRoute(log.identity, resolution);
            permit = context.bulkheads().admit(log.identity.customer(), log.cell);
        } catch (RouterException e) {
            outcome.refused(e);
            return;
        } catch (CompletionException e) {
            LOG.warn("routing {} failed unexpectedly", log.customer(), e.getCause());
            outcome.refused(
                    e.getCause() instanceof RouterException re ? re : RequestErrors.routingFailed(e.getCause()));
            return;
        }
        outcome.routed(permit);
    }
}
