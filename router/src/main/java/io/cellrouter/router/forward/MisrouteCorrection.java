package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.Resolution;
import io.cellrouter.registry.model.Cell;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import io.cellrouter.router.metrics.MigrationMetrics;
import io.cellrouter.router.routing.RequestRouter;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router does when a cell answers {@code 421 Misdirected Request}: "this customer is not
 * mine" (README "Misroute correction"). The same for HTTP/1.1 and HTTP/2 exchanges.
 *
 * <pre>
 *  421 head from cell A (nothing of it reaches the client; A's connection or stream is abandoned)
 *   ├─ this request was corrected once already ──────────────────────────────▶ 421 misrouted  (repeated)
 *   ├─ not replayable (body incomplete or over 64 KiB, a 1xx already sent) ──▶ 421 misrouted  (not_replayable)
 *   │                                             (the re-read below still runs: the next request goes right)
 *   └─ resolver.misrouted: cached placement dropped, one registry read (coalesced), override first
 *        ├─ routes to B ≠ A ─▶ permit moved to B ─▶ the same request once more, to B (corrected)
 *        │                          └─ B over its limits ─▶ that refusal           (refused)
 *        ├─ registry unreachable ──────────────────────────────▶ 421 misrouted     (registry_unavailable)
 *        └─ A again, no placement, another outcome ────────────▶ 421 misrouted     (unconfirmed)
 * </pre>
 *
 * <p>Only the registry decides where the request goes: {@code x-cell-router-owner}, the cell's own
 * guess at the owner, is logged but never followed, so a cell can neither loop a request back to
 * itself nor send it to a cell the registry does not name. At most one correction per request:
 * the replay is the request's one replay (a refused HTTP/2 stream retried already cannot be
 * corrected, and a corrected request is not retried again).
 *
 * <p>Concurrency: one per router, stateless; each call runs on the exchange's event loop, and the
 * registry read's answer is handed back to it.
 */
final class MisrouteCorrection {

    private static final Logger LOG = LoggerFactory.getLogger(MisrouteCorrection.class);

    /** The header a cell may add to its 421 to name the cell it believes owns the customer. */
    static final AsciiString OWNER = AsciiString.cached("x-cell-router-owner");

    static final int STATUS = 421;

    /** The exchange's side of a correction (implemented by the HTTP/1.1 and HTTP/2 exchanges). */
    interface Exchange {
        /**
         * Whether the request can be sent again as it was: complete, at most 64 KiB of body kept,
         * nothing sent to the client yet, not replayed before.
         */
        boolean correctable();

        /** Still waiting for the correction's decision (false once the client went away or it ended). */
        boolean waiting();

        /** The permit the request holds for the cell that disowned it. */
        Bulkheads.Permit permit();

        /**
         * Sends the request once more, to {@code cell}; {@code permit} (the new cell's bulkhead) is
         * the exchange's to release, the old one it releases now.
         */
        void correctTo(Cell cell, Bulkheads.Permit permit);

        /** Answers with the router's own {@code error} (421 misrouted, or a refusal on the new cell). */
        void misrouted(RouterException error);
    }

    private final RequestRouter router;
    private final MigrationMetrics metrics;

    MisrouteCorrection(RequestRouter router, MigrationMetrics metrics) {
        this.router = router;
        this.metrics = metrics;
    }

    /**
     * Cell {@code log.cell} answered 421 to the exchange, whose cell side has been abandoned;
     * {@code owner} is the answer's {@code x-cell-router-owner}, or null. The exchange hears back
     * through {@link Exchange}, now or on {@code loop} once the registry has been read.
     */
    void misdirected(Exchange exchange, ExchangeLog log, CharSequence owner, EventExecutor loop) {
        Cell disowning = log.cell;
        String named = ownerName(owner);
        if (log.misroutedFrom != null) {
            end(exchange, log, disowning, named, "repeated", "the cell the registry named also disowned it");
            return;
        }
        boolean correctable = exchange.correctable();
        CompletableFuture<Resolution> fresh;
        try {
            fresh = router.misrouted(log.identity, disowning.name());
        } catch (RuntimeException e) {
            LOG.warn("misroute of {}: the registry re-read failed to start", log.customer(), e);
            fresh = null;
        }
        if (!correctable || fresh == null) {
            // The re-read goes on: the customer's next request is routed by what it finds.
            end(exchange, log, disowning, named, "not_replayable", "the request cannot be sent again");
            return;
        }
        if (fresh.isDone()) {
            decided(exchange, log, disowning, named, fresh);
        } else {
            CompletableFuture<Resolution> read = fresh;
            read.whenComplete((r, e) -> loop.execute(() -> decided(exchange, log, disowning, named, read)));
        }
    }

    /** The owner a cell named, for the access log: a cell name, or a placeholder for anything else. */
    private static String ownerName(CharSequence owner) {
        if (owner == null) {
            return null;
        }
        String name = owner.toString();
        return Cell.isValidName(name) ? name : "(not a cell name)"; // never a cell's arbitrary text in the log
    }

    private void decided(
            Exchange exchange, ExchangeLog log, Cell disowning, String named, CompletableFuture<Resolution> fresh) {
        if (!exchange.waiting()) {
            return; // the client went away meanwhile
        }
        Resolution resolution = fresh.isCompletedExceptionally() ? null : fresh.join();
        if (resolution == null || resolution.outcome() == Resolution.Outcome.REGISTRY_UNAVAILABLE) {
            end(exchange, log, disowning, named, "registry_unavailable", "the registry could not be read");
            return;
        }
        Cell cell = resolution.cell();
        if (resolution.outcome() != Resolution.Outcome.ROUTE
                || cell == null
                || cell.name().equals(disowning.name())) {
            String found = cell == null
                    ? resolution.outcome().name().toLowerCase(java.util.Locale.ROOT)
                    : cell.name() + " (" + resolution.outcome().name().toLowerCase(java.util.Locale.ROOT) + ")";
            end(exchange, log, disowning, named, "unconfirmed", "the registry names " + found);
            return;
        }
        Bulkheads.Permit permit;
        try {
            // The same request, not another: the customer's count and rate token carry over, so
            // maxConcurrentPerCustomer 1 or an exhausted rate does not refuse the correction.
            permit = exchange.permit().moveTo(cell);
        } catch (RouterException refused) {
            metrics.misroute(disowning.name(), "refused");
            exchange.misrouted(refused.withDetail("misrouted by " + disowning.name() + "; " + cell.name()
                    + " refused the correction: " + refused.getMessage()));
            return;
        }
        metrics.misroute(disowning.name(), "corrected");
        LOG.debug(
                "misroute of {}: cell {} disowned it (owner named: {}); sent once more to {}",
                log.customer(),
                disowning.name(),
                named,
                cell.name());
        log.misroutedFrom = disowning.name();
        exchange.correctTo(cell, permit);
    }

    private void end(Exchange exchange, ExchangeLog log, Cell disowning, String named, String outcome, String why) {
        metrics.misroute(disowning.name(), outcome);
        exchange.misrouted(new RouterException(
                        ErrorCode.MISROUTED,
                        "cell " + disowning.name() + " does not serve customer " + log.customer() + "; retry")
                .withDetail(outcome + ": " + why + (named == null ? "" : "; the cell named " + named)));
    }
}
