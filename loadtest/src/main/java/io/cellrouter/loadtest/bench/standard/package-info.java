/**
 * The comparison with the standard clients ({@code bench --drivers standard}): each load of {@link
 * io.cellrouter.loadtest.bench.standard.StandardLoad} is driven by the client its protocol's
 * community measures with ({@link io.cellrouter.loadtest.bench.standard.WrkDriver wrk}, {@link
 * io.cellrouter.loadtest.bench.standard.H2loadDriver h2load}, {@link
 * io.cellrouter.loadtest.bench.standard.GrpcBenchDriver grpc-java's benchmark client}), against the
 * cells direct, haproxy, nginx and the router, one after the other. {@link
 * io.cellrouter.loadtest.bench.standard.StandardServers} starts what a load runs against, {@link
 * io.cellrouter.loadtest.bench.standard.StandardBench} runs the loads and {@link
 * io.cellrouter.loadtest.bench.standard.StandardReport} prints the ratios. Each driver reads its
 * tool's own output with a parser of its own ({@code *OutputParser}). With several rounds, {@link
 * io.cellrouter.loadtest.bench.standard.MedianRound} picks the round each target is reported by and
 * {@link io.cellrouter.loadtest.bench.standard.RoundsReport} lists every round.
 */
package io.cellrouter.loadtest.bench.standard;
