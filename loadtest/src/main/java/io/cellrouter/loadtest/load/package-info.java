/**
 * The open-loop load generator. Start at {@link io.cellrouter.loadtest.load.LoadGenerator}: it
 * runs a {@link io.cellrouter.loadtest.load.LoadPlan} on one or more
 * {@link io.cellrouter.loadtest.load.Dispatcher}s (one per event loop: the schedule, the queue of
 * due requests, the connections) and returns a {@link io.cellrouter.loadtest.load.RunResult}.
 * Connections: {@code Http1Connection}, {@code H2cConnection}, {@code GrpcConnection}.
 */
package io.cellrouter.loadtest.load;
