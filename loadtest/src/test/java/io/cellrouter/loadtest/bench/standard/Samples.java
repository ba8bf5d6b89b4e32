package io.cellrouter.loadtest.bench.standard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Outputs recorded from the real tools on this project's machine (wrk 4.1.0, h2load nghttp2
 * 1.52.0, grpc-java's benchmark client 1.79.0), kept under {@code src/test/resources/standard-clients}.
 */
final class Samples {

    private Samples() {}

    static String read(String name) {
        return resource("/standard-clients/" + name);
    }

    /** A report as the bench printed it, kept under {@code src/test/resources/standard-report}. */
    static String report(String name) {
        return resource("/standard-report/" + name);
    }

    private static String resource(String name) {
        try (InputStream in = Samples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
