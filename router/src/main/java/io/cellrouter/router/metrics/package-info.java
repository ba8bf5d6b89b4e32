/**
 * Micrometer meters of the router, scraped in Prometheus format on the admin listener's {@code
 * /metrics}, and {@link io.cellrouter.router.metrics.LiveStats}: this instance's per-cell traffic of
 * the last minute, kept per event loop, for the admin API's {@code /stats} and the console.
 */
package io.cellrouter.router.metrics;
