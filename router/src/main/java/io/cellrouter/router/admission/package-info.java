/**
 * Admission: whether a routed request may be forwarded now. {@link
 * io.cellrouter.router.admission.Bulkheads} (per cell, per customer) and {@link
 * io.cellrouter.router.admission.OverloadGuard} (connections and heap).
 */
package io.cellrouter.router.admission;
