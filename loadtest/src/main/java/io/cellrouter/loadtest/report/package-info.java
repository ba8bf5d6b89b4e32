/**
 * How a run is shown: {@link io.cellrouter.loadtest.report.RunReport} (the documented JSON and the
 * text report) and {@link io.cellrouter.loadtest.report.PercentilePlot} (a self-contained HTML
 * chart of the latency distribution).
 */
package io.cellrouter.loadtest.report;
