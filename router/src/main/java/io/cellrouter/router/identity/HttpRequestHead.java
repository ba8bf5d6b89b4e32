package io.cellrouter.router.identity;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * A {@link RequestHead} over a Netty {@link HttpRequest}: an HTTP/1.1 request, or an HTTP/2
 * stream's headers converted to one (where {@code :authority} became {@code Host}).
 */
public final class HttpRequestHead implements RequestHead {

    private final HttpRequest request;
    private final RequestTarget target;

    public HttpRequestHead(HttpRequest request, RequestTarget target) {
        this.request = request;
        this.target = target;
    }

    @Override
    public Iterator<String> values(AsciiString name) {
        return request.headers().valueStringIterator(name);
    }

    @Override
    public String host() {
        return single(HttpHeaderNames.HOST);
    }

    @Override
    public RequestTarget target() {
        return target;
    }

    @Override
    public void remove(AsciiString name) {
        request.headers().remove(name);
    }
}
