/**
 * The admin listener (README "Admin API and migrations", "Console"): health, readiness, Prometheus
 * metrics, the web console's files, and the authenticated {@code /admin/v1} API. Start at {@link
 * io.cellrouter.router.admin.AdminChannelInitializer}; {@code AdminRoutes} lists every endpoint and
 * {@code AdminAuth} the tokens and roles. Beside the request path, never in it.
 */
package io.cellrouter.router.admin;
