/**
 * Who is the request for? {@link io.cellrouter.router.identity.IdentityResolver} tries the
 * configured {@link io.cellrouter.router.identity.IdentitySource}s in order.
 */
package io.cellrouter.router.identity;
