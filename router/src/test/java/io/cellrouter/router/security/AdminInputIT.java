package io.cellrouter.router.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cellrouter.registry.store.RegistryDocuments;
import io.cellrouter.router.RouterServer;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.testing.AuditCapture;
import io.cellrouter.router.testing.LogCapture;
import io.cellrouter.router.testing.RawHttp;
import io.cellrouter.router.testing.RouterExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    @RegisterExtension
    final AuditCapture audit = new AuditCapture();

    @RegisterExtension
    final LogCapture log = new LogCapture();

    private HttpResponse<String> put(String path, String body) throws Exception {
        return send("PUT", path, body);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(router.admin(path))
                .header("Authorization", "Bearer " + RouterExtension.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        return router.client().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A region or a label name that the registry parser refuses is refused by the admin API (README:
     * Admin API and migrations, cells): written, it would leave a registry file no router could load.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "PATCH | {\"region\":\"US East (N. Virginia)\"} | region",
                "PATCH | {\"region\":\"\"} | region",
                "PATCH | {\"region\":\"eu\\u0000west\"} | region",
                "PATCH | {\"region\":\"eu\\nwest\"} | region",
                "PATCH | {\"labels\":{\" \":\"x\"}} | labels",
                "PATCH | {\"labels\":{\"\":\"x\"}} | labels",
                "PUT | {\"endpoint\":\"ENDPOINT\",\"region\":\"\"} | region",
                "PUT | {\"endpoint\":\"ENDPOINT\",\"region\":\"eu west\"} | region",
                "PUT | {\"endpoint\":\"ENDPOINT\",\"labels\":{\" \":\"x\"}} | labels",
            })
    void cellMetadataTheRegistryParserRefuses_is400NamingTheField_andTheFileStillLoads(
            String method, String body, String field) throws Exception {
        String endpoint = router.cell("cell-2").endpoint().toString();

        HttpResponse<String> response = send(method, "/admin/v1/cells/cell-2", body.replace("ENDPOINT", endpoint));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"message\":\"" + field + ": ");
        RegistryDocuments.read(router.dir().resolve("registry.yaml"));
        assertARouterStartsOnTheFile();
    }

    @Test
    void regionOf64KiB_is400_andTheFileStillLoads() throws Exception {
        HttpResponse<String> response =
                send("PATCH", "/admin/v1/cells/cell-2", "{\"region\":\"" + "r".repeat(64 * 1024 - 20) + "\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("region: ").hasSizeLessThan(1024);
        RegistryDocuments.read(router.dir().resolve("registry.yaml"));
    }

    @Test
    void validMetadata_isWritten_andARouterStartsOnTheFile() throws Exception {
        HttpResponse<String> response = send(
                "PATCH",
                "/admin/v1/cells/cell-2",
                "{\"region\":\"us-east-1\",\"labels\":{\"owner team\":\"payments (EU)\"}}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(RegistryDocuments.read(router.dir().resolve("registry.yaml"))
                        .cells()
                        .get(1)
                        .region())
                .isEqualTo("us-east-1");
        assertARouterStartsOnTheFile();
    }

    private void assertARouterStartsOnTheFile() throws Exception {
        RouterServer second =
                RouterServer.start(ConfigLoader.load(router.dir().resolve("config.yaml")), java.time.Clock.systemUTC());
        try {
            await().atMost(Duration.ofSeconds(10)).until(second::ready);
        } finally {
            second.close();
        }
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

    /**
     * A chunked body that grows over the limit, sent whole before the client reads (more than the
     * sockets' buffers hold): the client still gets its 413, then the end of the connection, not a
     * reset under its upload.
     */
    @Test
    void chunkedBodyOver64KiB_sentWholeBeforeReading_gets413_thenTheEnd() throws Exception {
        try (Socket socket = RawHttp.connect(router.server().adminAddress(), 10_000)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /admin/v1/customers/newcomer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                            + RouterExtension.ADMIN_TOKEN
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            byte[] chunkHead = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            for (int sent = 0; sent < 32 * 1024 * 1024; sent += chunk.length) {
                out.write(chunkHead);
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            InputStream in = socket.getInputStream();
            RawHttp.Response response = RawHttp.read(in);
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("\"error\":\"payload_too_large\"");
            assertThat(in.read()).as("the end of the connection").isEqualTo(-1);
        }
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

    /**
     * A malformed percent-escape in an admin request's query or path is a 400 naming it, with no
     * stack trace in the log; a write so refused is audited like every refused write. So is an
     * encoded '/' in the path, which would make a name two segments ({@code acme%2Fmove}: the move).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // the audit line's action: a named write's, or else the request line (a dry run is no write)
                "POST | /admin/v1/customers/acme/move?dryRun=%zz | query | POST /admin/v1/customers/acme/move",
                "PUT | /admin/v1/customers/zed?x=%zz | query | place",
                "GET | /admin/v1/overrides?%zz | query | ''",
                "GET | /admin/v1/customers/%zz | path | ''",
                "PUT | /admin/v1/customers/acme%zz | path | PUT /admin/v1/customers/acme%zz",
                "GET | /healthz%zz | path | ''",
                "POST | /admin/v1/customers/acme%2Fmove | path | POST /admin/v1/customers/acme%2Fmove",
                "GET | /admin/v1/customers/acme%2fmove | path | ''",
            })
    void malformedPercentEscape_is400NamingWhere_withoutAStackTrace_andAWriteIsAudited(
            String method, String target, String where, String action) throws Exception {
        String body = "{\"toCell\":\"cell-2\"}";
        RawHttp.Response response = RawHttp.exchange(
                router.server().adminAddress(),
                method + " " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + RouterExtension.ADMIN_TOKEN
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                        + body);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body())
                .contains("\"error\":\"bad_request\"")
                .contains("malformed percent-escape in the " + where);
        assertThat(log.events())
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO)
                        && e.getThrowableProxy() != null);
        if (!action.isEmpty()) {
            assertThat(audit.lines())
                    .singleElement()
                    .asString()
                    .contains("\"result\":\"refused\"")
                    .contains("\"action\":\"" + action + "\"")
                    .contains("percent-escape");
        } else {
            assertThat(audit.lines()).isEmpty();
        }
        assertThat(router.get("zed", "/x").statusCode()).isEqualTo(404);
    }
}
