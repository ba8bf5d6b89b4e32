/**
 * JMH benchmarks of the router's hot path, run by {@code cell-loadtest.jar jmh}:
 * {@link io.cellrouter.loadtest.jmh.IdentityBenchmark} (identity extraction) and
 * {@link io.cellrouter.loadtest.jmh.ResolveBenchmark} (resolve on a cache hit). Not part of the
 * router's code: they only call its public API.
 */
package io.cellrouter.loadtest.jmh;
