package io.cellrouter.router.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client that sends its request body slowly: {@code parts} parts of {@code partBytes} bytes
 * ({@code u}), each after a gap of {@code gapMillis}. The sleeps are the point (a slow uploader),
 * not a wait for something that could be awaited.
 */
public record SlowUpload(int parts, int partBytes, long gapMillis) {

    /** The whole body's length. */
    public int bytes() {
        return parts * partBytes;
    }

    /** The whole body, as the cell should receive it. */
    public String body() {
        return "u".repeat(bytes());
    }

    /** An HTTP/1.1 POST of {@code path} for {@code customer}: the head (Content-Length), then the parts. */
    public void overHttp1(Socket socket, String path, String customer) throws IOException, InterruptedException {
        RawHttp.write(
                socket,
                "POST " + path + " HTTP/1.1\r\nHost: router\r\nx-customer-id: " + customer + "\r\nContent-Length: "
                        + bytes() + "\r\n\r\n");
        for (int part = 0; part < parts; part++) {
            Thread.sleep(gapMillis);
            RawHttp.write(socket, "u".repeat(partBytes));
        }
    }

    /** The same over HTTP/2, on stream 1: HEADERS (content-length), then DATA, the last ending the stream. */
    public void overHttp2(RawH2 raw, String path, String customer) throws IOException, InterruptedException {
        raw.headers(
                        1,
                        H2Client.request(
                                "POST", path, "x-customer-id", customer, "content-length", String.valueOf(bytes())),
                        false)
                .flush();
        byte[] part = "u".repeat(partBytes).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < parts; i++) {
            Thread.sleep(gapMillis);
            raw.data(1, part, i == parts - 1).flush();
        }
    }
}
