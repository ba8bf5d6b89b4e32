/**
 * Finding a customer's cell fast. Start at {@link io.cellrouter.registry.cache.Resolver} (the
 * interface the router codes against) and {@link io.cellrouter.registry.cache.CachingResolver}
 * (its implementation over any registry store: Caffeine cache, change-feed follower), configured
 * by {@link io.cellrouter.registry.cache.ResolverConfig} and observed through
 * {@link io.cellrouter.registry.cache.ResolverListener}.
 */
package io.cellrouter.registry.cache;
