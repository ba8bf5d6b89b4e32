package io.cellrouter.router.identity;

import io.netty.util.AsciiString;

/**
 * The customer id is the value of one request header, e.g. {@code x-customer-id}. Two such
 * fields, or one holding a list, are {@code 400 ambiguous_identity}.
 */
final class HeaderIdentitySource implements IdentitySource {

    private final AsciiString name;

    HeaderIdentitySource(String name) {
        this.name = AsciiString.cached(name);
    }

    @Override
    public Identity identify(RequestHead request) {
        String value = request.single(name);
        return value == null || value.isEmpty() ? null : new Identity(value.trim(), null, "header");
    }
}
