package io.cellrouter.loadtest.load;

import java.util.Locale;

/** What the generator speaks on its connections. */
public enum Protocol {
    /** HTTP/1.1 keep-alive, one request at a time per connection. */
    HTTP1,
    /** HTTP/2 over cleartext (prior knowledge), many streams per connection. */
    H2C,
    /** gRPC (grpc-java) calls of {@code cellrouter.loadtest.Echo}. */
    GRPC;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
