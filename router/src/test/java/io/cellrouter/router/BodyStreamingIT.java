package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterProcess;
import io.cellrouter.router.testing.TestCell;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 MiB bodies both ways, chunked and fixed-length, through a router process whose heap (40 MiB)
 * and direct memory (16 MiB) are each smaller than one body: if the router buffered a body instead
 * of streaming it, it would run out of memory and these tests would fail. Both ends compare SHA-256.
 */
class BodyStreamingIT {

    static final long SIZE = 50L * 1024 * 1024;

    @TempDir
    static Path dir;

    static TestCell cell;
    static RouterProcess router;
    static int proxyPort;
    static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        cell = TestCell.start("cell-1");
        RouterProcess.Setup setup = RouterProcess.oneCell(dir, cell, "", "");
        proxyPort = setup.proxyPort();
        int adminPort = setup.adminPort();
        router = RouterProcess.start(
                dir,
                List.of("-Xmx40m", "-XX:MaxDirectMemorySize=16m", "-Dio.netty.maxDirectMemory=16777216"),
                "serve",
                "--config",
                "config.yaml");
        router.awaitReady(adminPort);
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close();
        }
        if (cell != null) {
            cell.close();
        }
    }

    @Test
    void upload_chunked_arrivesIntact() throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(uri("/upload"))
                        .header("x-customer-id", "acme")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"bytes\":" + SIZE)
                .contains("\"sha256\":\"" + TestCell.sha256OfPattern(SIZE) + "\"");
        assertThat(cell.receivedHeaders().get(cell.receivedHeaders().size() - 1).get("transfer-encoding"))
                .isEqualTo("chunked");
    }

    @Test
    void upload_fixedLength_arrivesIntact() throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(uri("/upload"))
                        .header("x-customer-id", "acme")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE)), SIZE))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("\"bytes\":" + SIZE)
                .contains("\"sha256\":\"" + TestCell.sha256OfPattern(SIZE) + "\"");
        assertThat(cell.receivedHeaders().get(cell.receivedHeaders().size() - 1).get("content-length"))
                .isEqualTo(Long.toString(SIZE));
    }

    @Test
    void download_chunked_arrivesIntact() throws Exception {
        assertDownload("/download?size=" + SIZE, "chunked");
    }

    @Test
    void download_fixedLength_arrivesIntact() throws Exception {
        assertDownload("/download?chunked=false&size=" + SIZE, null);
    }

    private void assertDownload(String path, String transferEncoding) throws Exception {
        HttpResponse<InputStream> response = CLIENT.send(
                HttpRequest.newBuilder(uri(path))
                        .header("x-customer-id", "acme")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long bytes;
        try (InputStream in = new DigestInputStream(response.body(), digest)) {
            bytes = in.transferTo(OutputStreamSink.INSTANCE);
        }

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(bytes).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(TestCell.sha256OfPattern(SIZE));
        assertThat(response.headers().firstValue("transfer-encoding").orElse(null))
                .isEqualTo(transferEncoding);
        assertThat(router.process().isAlive()).isTrue();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxyPort + path);
    }

    /** {@link TestCell#pattern} as a stream. */
    static final class PatternStream extends InputStream {
        private final long size;
        private long offset;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            return offset < size ? TestCell.pattern(offset++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (offset >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - offset);
            for (int i = 0; i < n; i++) {
                b[off + i] = TestCell.pattern(offset + i);
            }
            offset += n;
            return n;
        }
    }

    /** Discards bytes. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
