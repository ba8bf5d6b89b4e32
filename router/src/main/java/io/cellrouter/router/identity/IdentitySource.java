package io.cellrouter.router.identity;

/**
 * One way of finding the customer of a request. Runs on the event loop, so it must be cheap and
 * never block. Returns null when this source does not apply to the request (the next source is
 * tried); throws {@link io.cellrouter.router.error.RouterException} when the request carries
 * this source's credential but it is invalid, or carries it twice (no fall-through to weaker
 * sources, no guessing between two values).
 */
public interface IdentitySource {

    Identity identify(RequestHead request);
}
