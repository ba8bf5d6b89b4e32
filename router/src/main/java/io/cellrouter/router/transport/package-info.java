/**
 * The socket transport every listener and every connection to a cell uses: {@link
 * io.cellrouter.router.transport.Transport} (epoll, io_uring on request, NIO otherwise). Beside the
 * request path: the pipeline, the relay and the demo cells all use it; it uses none of them.
 */
package io.cellrouter.router.transport;
