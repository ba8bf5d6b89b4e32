/**
 * Accepting connections: the {@link io.cellrouter.router.pipeline.ProxyChannelInitializer} that
 * assembles a client connection's pipeline (TLS and ALPN, HTTP/1.1 strictness, h2c, HTTP/2 guards)
 * in front of the relay. Start reading the request path here.
 */
package io.cellrouter.router.pipeline;
