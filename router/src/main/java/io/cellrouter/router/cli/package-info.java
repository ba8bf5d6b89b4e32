/** The command line (picocli): {@code serve} (default), {@code demo}. */
package io.cellrouter.router.cli;
