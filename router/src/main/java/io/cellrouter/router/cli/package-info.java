/** The command line (picocli): {@code serve} (default), {@code demo}, {@code registry}, {@code token}. */
package io.cellrouter.router.cli;
