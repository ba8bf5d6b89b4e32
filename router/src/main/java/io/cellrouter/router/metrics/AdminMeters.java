package io.cellrouter.router.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The admin listener's meters: writes by action and result, refused tokens, connections refused
 * or evicted at {@code admin.maxConnections} (README: Admin API and migrations).
 */
public final class AdminMeters {

    private final PrometheusMeterRegistry registry;

    AdminMeters(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * One admin write, as its audit line says: {@code cellrouter_admin_writes_total{action, result}}
     * ({@code move}, {@code override}...; {@code applied} or {@code refused}), so that a dashboard
     * shows moves and refused writes beside the traffic they change.
     */
    public void write(String action, String result) {
        Counter.builder("cellrouter.admin.writes")
                .description("Admin API writes by action and result, as the audit log records them")
                .tag("action", action)
                .tag("result", result)
                .register(registry)
                .increment();
    }

    /**
     * Admin API requests answered 401 (no token, or one that is not valid): {@code
     * cellrouter_admin_unauthorized_total}, what a security dashboard watches for guessing.
     * Registered with the admin listener, so that it reads 0 until the first refusal.
     */
    public Counter unauthorized() {
        return Counter.builder("cellrouter.admin.unauthorized")
                .description("Admin API requests refused 401: no token, or one that is not valid")
                .register(registry);
    }

    /**
     * Admin connections closed on accept because {@code admin.maxConnections} were open, all busy: {@code
     * cellrouter_admin_connections_refused_total}. Registered with the admin listener, so that it
     * reads 0 until the first refusal.
     */
    public Counter connectionsRefused() {
        return Counter.builder("cellrouter.admin.connections.refused")
                .description("Admin connections closed on accept: admin.maxConnections were open, all busy")
                .register(registry);
    }

    /**
     * Idle admin connections closed at {@code admin.maxConnections} to make room for a new one:
     * {@code cellrouter_admin_connections_evicted_total}. Registered with the admin listener.
     */
    public Counter connectionsEvicted() {
        return Counter.builder("cellrouter.admin.connections.evicted")
                .description("Idle admin connections closed for a new one: admin.maxConnections were open")
                .register(registry);
    }
}
