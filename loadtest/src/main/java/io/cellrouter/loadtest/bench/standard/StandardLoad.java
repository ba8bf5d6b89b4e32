package io.cellrouter.loadtest.bench.standard;

import java.util.Locale;

/**
 * The rows of the comparison: what is loaded, which standard client drives it, and what the cells
 * speak. Every load routes on the {@code x-customer-id} header (gRPC: metadata).
 */
public enum StandardLoad {
    GRPC_UNARY("grpc-unary", "gRPC unary", Kind.GRPC),
    GRPC_STREAMING("grpc-streaming", "gRPC streaming", Kind.GRPC),
    H2C("h2c", "h2c", Kind.H2C),
    HTTP1("http1", "HTTP/1.1", Kind.HTTP1);

    /** The wire protocol of a load, which decides the cells and the proxies' configuration. */
    public enum Kind {
        /** HTTP/1.1 from the client, HTTP/1.1 to the cells. */
        HTTP1,
        /** HTTP/2 with prior knowledge from the client and to the cells. */
        H2C,
        /** gRPC (HTTP/2) from the client and to grpc-java's benchmark server. */
        GRPC
    }

    private final String id;
    private final String label;
    private final Kind kind;

    StandardLoad(String id, String label, Kind kind) {
        this.id = id;
        this.label = label;
        this.kind = kind;
    }

    /** The name on the command line and in JSON. */
    public String id() {
        return id;
    }

    /** The name in the table. */
    public String label() {
        return label;
    }

    public Kind kind() {
        return kind;
    }

    /** The scheme of the cells' endpoints in the router's registry. */
    public String cellScheme() {
        return kind == Kind.HTTP1 ? "http" : "h2c";
    }

    /** Parses a command-line name ({@code grpc-unary}, {@code h2c}, ...). */
    public static StandardLoad parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        for (StandardLoad l : values()) {
            if (l.id.equals(t)) {
                return l;
            }
        }
        throw new IllegalArgumentException(
                "--loads: unknown load '" + text + "' (grpc-unary, grpc-streaming, h2c, http1)");
    }
}
