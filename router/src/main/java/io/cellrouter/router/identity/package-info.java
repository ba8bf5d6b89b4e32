/**
 * Who is the request for? {@link io.cellrouter.router.identity.IdentityResolver} tries the
 * configured {@link io.cellrouter.router.identity.IdentitySource}s in order: a verified bearer
 * token ({@code JwtIdentitySource}, over {@link io.cellrouter.registry.token.TokenVerifier}), a
 * header, the host name, the path or a query parameter.
 */
package io.cellrouter.router.identity;
