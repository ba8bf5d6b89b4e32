/**
 * What every connection stands on, below the request path: the socket {@link
 * io.cellrouter.router.transport.Transport} (epoll, io_uring on request, NIO otherwise) and the TLS
 * provider, the certificate and key pair on disk ({@link io.cellrouter.router.transport.KeyMaterial},
 * checked by {@link io.cellrouter.router.transport.TlsPairCheck}), and the client address a
 * connection was given once, from its socket or its PROXY protocol header ({@link
 * io.cellrouter.router.transport.ClientAddress}). The pipeline, the relay, the configuration checks
 * and the demo cells use it; it uses none of them.
 */
package io.cellrouter.router.transport;
