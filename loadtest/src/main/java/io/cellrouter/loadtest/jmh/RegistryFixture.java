package io.cellrouter.loadtest.jmh;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes registry documents (JSON: the store parses it much faster than YAML) for benchmarks. */
public final class RegistryFixture {

    private RegistryFixture() {}

    /**
     * A registry of {@code customers} customers named {@code prefix + i}, spread round-robin over
     * {@code cells} cells {@code cell-1..cell-N} whose endpoints are {@code endpoints[i]} (or
     * {@code http://127.0.0.1:(9001+i)} when null).
     */
    public static void write(Path file, int customers, String prefix, String[] endpoints) throws IOException {
        int cells = endpoints.length;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("{\n  \"cells\": [\n");
            for (int c = 0; c < cells; c++) {
                String endpoint = endpoints[c] != null ? endpoints[c] : "http://127.0.0.1:" + (9001 + c);
                w.write("    {\"name\": \"cell-" + (c + 1) + "\", \"endpoint\": \"" + endpoint + "\"}"
                        + (c + 1 < cells ? ",\n" : "\n"));
            }
            w.write("  ],\n  \"customers\": {\n");
            for (int i = 0; i < customers; i++) {
                w.write("    \"" + prefix + i + "\": \"cell-" + (i % cells + 1) + "\""
                        + (i + 1 < customers ? ",\n" : "\n"));
            }
            w.write("  }\n}\n");
        }
    }
}
