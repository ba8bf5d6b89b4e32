/**
 * Forwarding to cells: {@link io.cellrouter.router.forward.Http1ProxyHandler} relays HTTP/1.1
 * exchanges over the keep-alive connections of {@link io.cellrouter.router.forward.UpstreamPool},
 * rewriting headers with {@link io.cellrouter.router.forward.ForwardHeaders}.
 */
package io.cellrouter.router.forward;
