/**
 * Files that are re-read when they change, without a restart: {@link
 * io.cellrouter.registry.watch.FileChangeWatcher} is the one watch loop behind the registry file,
 * the JWT key files and the router's TLS certificates.
 */
package io.cellrouter.registry.watch;
