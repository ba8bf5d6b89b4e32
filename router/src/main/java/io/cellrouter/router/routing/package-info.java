/**
 * Which cell? {@link io.cellrouter.router.routing.RequestRouter} turns an identity into a
 * {@link io.cellrouter.router.routing.Route} through the registry's cached resolver.
 */
package io.cellrouter.router.routing;
