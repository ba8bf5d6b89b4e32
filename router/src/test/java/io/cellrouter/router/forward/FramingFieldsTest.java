package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FramingFieldsTest {

    @ParameterizedTest(name = "Content-Length: {0} -> {1}")
    @CsvSource({"0, 0", "10, 10", "010, 10", "00, 0", "007, 7", "123456789012, 123456789012"})
    void contentLength_isWrittenAsTheNumberRead(String sent, String forwarded) {
        HttpRequest head = request("content-length", sent);

        FramingFields.canonical(head);

        assertThat(head.headers().getAll("content-length")).containsExactly(forwarded);
    }

    @ParameterizedTest(name = "Transfer-Encoding: [{0}]")
    @CsvSource(
            delimiter = '|',
            value = {"chunked", "Chunked", "CHUNKED", "cHuNkEd"})
    void transferEncoding_isWrittenChunked(String sent) {
        HttpRequest head = request("transfer-encoding", sent);

        FramingFields.canonical(head);

        assertThat(head.headers().getAll("transfer-encoding")).containsExactly("chunked");
    }

    private static HttpRequest request(String name, String value) {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        head.headers().set(name, value);
        return head;
    }
}
