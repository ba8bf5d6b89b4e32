package io.cellrouter.router.identity;

import io.netty.handler.codec.http.HttpRequest;

/**
 * One way of finding the customer of a request. Runs on the event loop, so it must be cheap and
 * never block. Returns null when this source does not apply to the request (the next source is
 * tried); throws {@link io.cellrouter.router.error.RouterException} when the request carries
 * this source's credential but it is invalid (no fall-through to weaker sources).
 */
public interface IdentitySource {

    Identity identify(HttpRequest request);
}
