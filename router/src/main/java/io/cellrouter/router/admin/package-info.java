/**
 * The admin listener (SPEC section 6): health, readiness, Prometheus metrics and the
 * authenticated {@code /admin/v1} API. Beside the request path, never in it.
 */
package io.cellrouter.router.admin;
