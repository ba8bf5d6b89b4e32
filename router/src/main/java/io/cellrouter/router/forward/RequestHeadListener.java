package io.cellrouter.router.forward;

/**
 * Told by {@link Http1ProxyHandler} when a request head has arrived and when the connection waits
 * for the next one: the slow-loris guard in front of the decoder times the gap in between.
 */
public interface RequestHeadListener {

    void headReceived();

    void awaitNextHead();
}
