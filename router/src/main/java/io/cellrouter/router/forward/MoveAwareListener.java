package io.cellrouter.router.forward;

import io.cellrouter.registry.cache.LookupKind;
import io.cellrouter.registry.cache.ResolverListener;

/**
 * The resolver's listener of a router: the metrics listener for every event, plus the
 * {@link MovedCustomerCloser} for routing changes (so a moved customer's streams are ended).
 */
public final class MoveAwareListener implements ResolverListener {

    private final ResolverListener metrics;
    private final MovedCustomerCloser closer;

    public MoveAwareListener(ResolverListener metrics, MovedCustomerCloser closer) {
        this.metrics = metrics;
        this.closer = closer;
    }

    @Override
    public void lookup(LookupKind kind) {
        metrics.lookup(kind);
    }

    @Override
    public void storeCall(String operation, long nanos, boolean success) {
        metrics.storeCall(operation, nanos, success);
    }

    @Override
    public void hintOverruled(String hintedCell, String placedCell) {
        metrics.hintOverruled(hintedCell, placedCell);
    }

    @Override
    public void routingChanged(String customer) {
        metrics.routingChanged(customer);
        closer.routingChanged(customer);
    }

    @Override
    public void routingMayHaveChanged() {
        metrics.routingMayHaveChanged();
        closer.routingMayHaveChanged();
    }
}
