package io.cellrouter.router.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

    @Test
    void rendersJsonBody_withStatusAndEscapedMessage() {
        FullHttpResponse r = ErrorResponses.http1(
                ByteBufAllocator.DEFAULT, new RouterException(ErrorCode.UNKNOWN_CUSTOMER, "no \"x\"\n"), false);

        assertThat(r.status().code()).isEqualTo(404);
        assertThat(r.content().toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"unknown_customer\",\"message\":\"no \\\"x\\\"\\n\"}");
        assertThat(r.headers().get("retry-after")).isNull();
        r.release();
    }

    @Test
    void retryAfter_onlyWhereTheTableSaysSo_roundedUp() {
        FullHttpResponse r = ErrorResponses.http1(
                ByteBufAllocator.DEFAULT,
                new RouterException(ErrorCode.CELL_OFFLINE, "off", Duration.ofMillis(1200)),
                true);

        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("retry-after")).isEqualTo("2");
        assertThat(r.headers().get("connection")).isEqualTo("close");
        r.release();
    }

    @Test
    void everyCode_hasTheStatusOfTheDocumentedTable() {
        assertThat(ErrorCode.MISSING_IDENTITY.status().code()).isEqualTo(401);
        assertThat(ErrorCode.INVALID_TOKEN.status().code()).isEqualTo(401);
        assertThat(ErrorCode.UNKNOWN_CUSTOMER.grpcCode()).isEqualTo(5);
        assertThat(ErrorCode.CELL_UNREACHABLE.status().code()).isEqualTo(502);
        assertThat(ErrorCode.CELL_TIMEOUT.status().code()).isEqualTo(504);
        assertThat(ErrorCode.CELL_TIMEOUT.grpcCode()).isEqualTo(4);
        assertThat(ErrorCode.RATE_LIMITED.status().code()).isEqualTo(429);
        assertThat(ErrorCode.REGISTRY_UNAVAILABLE.hasRetryAfter()).isTrue();
    }
}
