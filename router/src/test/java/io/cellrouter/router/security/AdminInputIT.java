package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.RouterExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API reads its input as strictly as the proxy does: a body is one JSON object and
 * nothing after it, and a cell endpoint that could never be reached is refused when it is written,
 * not discovered when traffic fails.
 */
@Timeout(60)
class AdminInputIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    private HttpResponse<String> put(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(router.admin(path))
                .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return router.client().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "{\"cell\":\"cell-2\"} {\"cell\":\"cell-1\"}",
                "{\"cell\":\"cell-2\"}garbage",
                "{\"cell\":\"cell-2\"}]"
            })
    void bodyWithTrailingContent_is400_andWritesNothing(String body) throws Exception {
        HttpResponse<String> response = put("/admin/v1/customers/newcomer", body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(router.get("newcomer", "/x").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "http://127.0.0.1:99999",
                "http://127.0.0.1:0",
                "http://127.0.0.1:8080/x",
                "http://127.0.0.1:8080?q=1",
                "ftp://127.0.0.1:21",
                "http://:8080"
            })
    void cellEndpointThatCannotBeReached_is400(String endpoint) throws Exception {
        HttpResponse<String> response = put("/admin/v1/cells/cell-9", "{\"endpoint\":\"" + endpoint + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("endpoint");
    }

    @Test
    void cellEndpointWithPortAndTrailingSlash_isAccepted() throws Exception {
        HttpResponse<String> response = put("/admin/v1/cells/cell-9", "{\"endpoint\":\"http://127.0.0.1:8081/\"}");

        assertThat(response.statusCode()).isEqualTo(201);
    }

    @Test
    void bodyOver64KiB_is413WithTheJsonError_andWritesNothing() throws Exception {
        String huge = "{\"cell\":\"cell-2\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";

        HttpResponse<String> response = put("/admin/v1/customers/newcomer", huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"error\":\"payload_too_large\"").contains("64 KiB");
        assertThat(router.get("newcomer", "/").statusCode()).isEqualTo(404);
    }

    /** curl sends Expect: 100-continue before a large body: the same JSON 413, and the body is never sent. */
    @Test
    void bodyOver64KiBAfterExpectContinue_is413WithTheJsonError() throws Exception {
        String head = "PUT /admin/v1/customers/newcomer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + RouterExtension.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n"
                + "Expect: 100-continue\r\nConnection: close\r\n\r\n";

        io.cellrouter.router.testing.RawHttp.Response response =
                io.cellrouter.router.testing.RawHttp.exchange(router.server().adminAddress(), head);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).contains("\"error\":\"payload_too_large\"");
    }
}
