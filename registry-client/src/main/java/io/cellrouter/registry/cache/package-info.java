/**
 * Finding a customer's cell fast. Start at {@link io.cellrouter.registry.cache.Resolver} (the
 * interface the router codes against), built by {@link io.cellrouter.registry.cache.ResolverBuilder}
 * over any registry store. Inside, package-private: {@code CachingResolver} (the decision tree),
 * {@code PlacementCache} (Caffeine), {@code RegistrySync} (the routing table and the change feed),
 * {@code RegistryFollower} (start-up, polling, the snapshot at start) and {@code SnapshotKeeper}.
 * Configured by {@link io.cellrouter.registry.cache.ResolverConfig}, observed through
 * {@link io.cellrouter.registry.cache.ResolverListener} and {@link io.cellrouter.registry.cache.RegistryHealth}.
 */
package io.cellrouter.registry.cache;
