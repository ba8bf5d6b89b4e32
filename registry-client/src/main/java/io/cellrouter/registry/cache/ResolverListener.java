package io.cellrouter.registry.cache;

/**
 * Observes the resolver for metrics. Called on the hot path (the caller's thread, often an event
 * loop): implementations must be quick, must not block and should not throw (a throw is caught and
 * dropped).
 */
public interface ResolverListener {

    ResolverListener NO_OP = new ResolverListener() {};

    /** One placement lookup of {@link Resolver#resolve} (overrides do not count). */
    default void lookup(LookupKind kind) {}

    /**
     * One call to the registry store: {@code operation} is the {@link
     * io.cellrouter.registry.store.RegistryStore} method name ({@code placement}, {@code
     * changesSince}, ...), {@code nanos} its duration by the resolver's ticker.
     */
    default void storeCall(String operation, long nanos, boolean success) {}

    /**
     * The registry places the customer on {@code placedCell} while its token's cell hint says
     * {@code hintedCell}: the registry wins (the customer has moved; its SDK should get a new token).
     * Called on every such request, with strings the resolver already holds (no allocation).
     */
    default void hintOverruled(String hintedCell, String placedCell) {}

    /**
     * The routing of {@code customer} may have changed: its placement or its override was written,
     * and the resolver has applied it (so {@link Resolver#resolve} already answers the new way).
     * Called by the change-feed follower, once per changed customer of a batch (after a feed gap
     * with preload: once per customer the reload moved or dropped), on the thread that applied it;
     * and when a refresh or a misroute's re-read finds a cached customer on another cell than the
     * cache said (a change no feed entry announced), on the thread that completed the read. May be called for a customer
     * whose routing turns out unchanged. The router uses it to end the long-lived exchanges of a
     * moved customer.
     */
    default void routingChanged(String customer) {}

    /**
     * Any customer's routing may have changed, and the resolver cannot say whose: the registry was
     * loaded again (at start, after serving a snapshot, or after a gap in the change feed) without
     * preload, so the cached entries are only due for a refresh. A listener that holds long-lived
     * exchanges passes their customers to {@link Resolver#recheck}, which reads them again and
     * calls {@link #routingChanged} for each.
     */
    default void routingMayHaveChanged() {}
}
