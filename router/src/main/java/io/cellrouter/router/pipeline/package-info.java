/**
 * Accepting connections: the {@link io.cellrouter.router.pipeline.Transport} (epoll or NIO) and
 * the {@link io.cellrouter.router.pipeline.ProxyChannelInitializer} that assembles a client
 * connection's pipeline. Start reading the request path here.
 */
package io.cellrouter.router.pipeline;
