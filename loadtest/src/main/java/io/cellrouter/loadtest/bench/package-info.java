/**
 * The side-by-side benchmark: {@link io.cellrouter.loadtest.bench.BenchServers} starts cells,
 * router, nginx and haproxy as child processes ({@link io.cellrouter.loadtest.bench.ChildProcesses}
 * stops them), {@link io.cellrouter.loadtest.bench.BenchRunner} runs the protocol (maximum, then the
 * open-loop ladder) and {@link io.cellrouter.loadtest.bench.BenchReport} prints the table, the
 * ratios and the targets.
 */
package io.cellrouter.loadtest.bench;
