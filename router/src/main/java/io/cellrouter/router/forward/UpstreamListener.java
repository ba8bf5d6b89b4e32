package io.cellrouter.router.forward;

import io.netty.handler.codec.http.HttpObject;

/** What an upstream channel reports to the exchange that leased it. All calls on the event loop. */
interface UpstreamListener {

    void upstreamRead(HttpObject msg);

    void upstreamReadComplete();

    void upstreamWritabilityChanged(boolean writable);

    /** The connection closed or failed; {@code cause} may be null for a plain close. */
    void upstreamClosed(Throwable cause);
}
