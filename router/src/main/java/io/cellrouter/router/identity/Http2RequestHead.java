package io.cellrouter.router.identity;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * A {@link RequestHead} over an HTTP/2 stream's headers, read in place (nothing converted). The
 * host is {@code :authority}; a {@code host} field that names another host beside it is ambiguous.
 */
public final class Http2RequestHead implements RequestHead {

    private final Http2Headers headers;
    private final RequestTarget target;

    public Http2RequestHead(Http2Headers headers, RequestTarget target) {
        this.headers = headers;
        this.target = target;
    }

    @Override
    public Iterator<String> values(AsciiString name) {
        Iterator<CharSequence> values = headers.valueIterator(name);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return values.hasNext();
            }

            @Override
            public String next() {
                return values.next().toString();
            }
        };
    }

    @Override
    public String host() {
        CharSequence authority = headers.authority();
        String host = single(AsciiString.of(HttpHeaderNames.HOST));
        if (authority == null) {
            return host;
        }
        if (host != null && !AsciiString.contentEqualsIgnoreCase(host, authority)) {
            throw Ambiguity.of(":authority and host name different hosts");
        }
        return authority.toString();
    }

    @Override
    public RequestTarget target() {
        return target;
    }

    @Override
    public void remove(AsciiString name) {
        headers.remove(name);
    }
}
