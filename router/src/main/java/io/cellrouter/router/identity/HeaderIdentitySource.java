package io.cellrouter.router.identity;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;

/** The customer id is the value of one request header, e.g. {@code x-customer-id}. */
final class HeaderIdentitySource implements IdentitySource {

    private final AsciiString name;

    HeaderIdentitySource(String name) {
        this.name = AsciiString.cached(name);
    }

    @Override
    public Identity identify(HttpRequest request) {
        String value = request.headers().get(name);
        return value == null || value.isEmpty() ? null : new Identity(value.trim(), null, "header");
    }
}
