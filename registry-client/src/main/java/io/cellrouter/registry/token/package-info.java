/**
 * Cell tokens: signed JWTs that name a customer ({@code sub}), optionally its cell ({@code cell})
 * and the cell's direct endpoint ({@code ep}), so that an SDK can reach its cell directly and the
 * router can route it even when nothing else knows the customer yet.
 *
 * <p>Starting points: {@link io.cellrouter.registry.token.TokenMinter} (control planes: mint a
 * token with a {@link io.cellrouter.registry.token.SigningKey}), {@link
 * io.cellrouter.registry.token.TokenVerifier} (the router: verify against a key set, cached), and
 * {@link io.cellrouter.registry.token.KeyFiles} (keys in PEM, JWK and JWKS files).
 *
 * <p>The rules of RFC 8725 hold throughout: the algorithm is fixed per key, never chosen by the
 * token ({@code none} is never accepted); a token that names a key id is checked only with that
 * key; keys are never fetched from URLs named in a token ({@code jku}, {@code x5u} and {@code jwk}
 * headers are ignored); {@code exp} is required and checked with a small clock skew.
 */
package io.cellrouter.registry.token;
