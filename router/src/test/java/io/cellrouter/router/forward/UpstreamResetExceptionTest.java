package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.error.GrpcStatus;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;

/** How a cell's stream ended early becomes the gRPC status and the client's reset code. */
class UpstreamResetExceptionTest {

    private static int grpcStatus(Http2Error code, boolean refused) {
        return new UpstreamResetException(code, refused, "why").grpcStatus();
    }

    @Test
    void grpcStatus_followsGrpcsMappingOfResets() {
        assertThat(grpcStatus(Http2Error.REFUSED_STREAM, true)).isEqualTo(GrpcStatus.UNAVAILABLE.value());
        assertThat(grpcStatus(Http2Error.INTERNAL_ERROR, true))
                .as("never processed: safe to retry")
                .isEqualTo(GrpcStatus.UNAVAILABLE.value());
        assertThat(grpcStatus(Http2Error.CANCEL, false)).isEqualTo(GrpcStatus.CANCELLED.value());
        assertThat(grpcStatus(Http2Error.ENHANCE_YOUR_CALM, false)).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED.value());
        assertThat(grpcStatus(Http2Error.PROTOCOL_ERROR, false)).isEqualTo(GrpcStatus.INTERNAL.value());
        assertThat(grpcStatus(Http2Error.INTERNAL_ERROR, false))
                .as("the cell's own RST_STREAM(INTERNAL_ERROR)")
                .isEqualTo(GrpcStatus.INTERNAL.value());
    }

    @Test
    void connectionLost_isUnavailable_notSentAgain_andResetsAClientAsInternal() {
        UpstreamResetException lost = UpstreamResetException.connectionLost("connection to the cell was lost");

        assertThat(lost.grpcStatus()).isEqualTo(GrpcStatus.UNAVAILABLE.value());
        assertThat(lost.refused()).as("the cell may have processed it").isFalse();
        assertThat(lost.lost()).isTrue();
        assertThat(lost.clientCode()).isEqualTo(Http2Error.INTERNAL_ERROR);
    }

    @Test
    void clientCode_isTheCells_butNeverNoError() {
        assertThat(new UpstreamResetException(Http2Error.CANCEL, false, "c").clientCode())
                .isEqualTo(Http2Error.CANCEL);
        assertThat(new UpstreamResetException(Http2Error.NO_ERROR, false, "n").clientCode())
                .isEqualTo(Http2Error.INTERNAL_ERROR);
    }
}
