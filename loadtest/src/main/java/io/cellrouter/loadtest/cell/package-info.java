/**
 * The benchmark's stand-in cell, {@link io.cellrouter.loadtest.cell.LoadTestCell}: HTTP/1.1, h2c
 * and the {@code cellrouter.loadtest.Echo} gRPC service on one port, as cheap as it can be.
 */
package io.cellrouter.loadtest.cell;
