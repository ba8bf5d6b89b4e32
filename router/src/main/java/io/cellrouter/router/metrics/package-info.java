/** Micrometer meters of the router, scraped in Prometheus format on the admin listener's {@code /metrics}. */
package io.cellrouter.router.metrics;
