/**
 * The floor of a hop, {@link io.cellrouter.loadtest.relay.ByteRelay}: what one extra Netty hop costs
 * when it does nothing but copy bytes, for the benchmark to hold the router against.
 */
package io.cellrouter.loadtest.relay;
