/**
 * The command line, {@link io.cellrouter.loadtest.cli.Main}: {@code run}, {@code bench},
 * {@code cell}, {@code jmh}, {@code heap}.
 */
package io.cellrouter.loadtest.cli;
