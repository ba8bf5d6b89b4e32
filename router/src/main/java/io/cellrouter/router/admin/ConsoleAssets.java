package io.cellrouter.router.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web console's files, read once from the jar ({@code io/cellrouter/router/console/}) and served
 * on the admin listener: {@code /} is the page, {@code /console/*} its script, style and icon. No
 * CDN, no external font or script; the page talks to {@code /admin/v1} with the token the operator
 * signs in with (kept in the tab's session storage, sent as a bearer header: no cookie, so no
 * cross-site request can act with it).
 *
 * <p>Every file goes out with a Content-Security-Policy that allows only this origin's own script,
 * style and API calls and no inline script ({@value #CSP}), and headers that forbid framing and
 * content sniffing.
 */
final class ConsoleAssets {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private static final String ROOT = "/io/cellrouter/router/console/";

    @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or hashed
    private record Asset(byte[] bytes, String contentType) {}

    private final Map<String, Asset> assets;

    private ConsoleAssets(Map<String, Asset> assets) {
        this.assets = assets;
    }

    static ConsoleAssets fromJar() {
        Asset page = load("index.html", "text/html; charset=utf-8");
        return new ConsoleAssets(Map.of(
                "/", page,
                "/index.html", page,
                "/console/console.js", load("console.js", "text/javascript; charset=utf-8"),
                "/console/console.css", load("console.css", "text/css; charset=utf-8"),
                "/console/favicon.svg", load("favicon.svg", "image/svg+xml")));
    }

    boolean serves(String path) {
        return assets.containsKey(path);
    }

    FullHttpResponse response(String path) {
        Asset asset = assets.get(path);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(asset.bytes()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, asset.bytes().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP)
                .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set("Cross-Origin-Opener-Policy", "same-origin");
        return response;
    }

    private static Asset load(String name, String contentType) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the console file " + ROOT + name + " is missing from the jar");
            }
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
