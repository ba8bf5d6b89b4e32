package io.cellrouter.router.forward;

import io.cellrouter.router.config.RouterConfig;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Builds a client connection's {@link Http2Frontend} with the limits of {@code proxy}: the
 * SETTINGS it announces, header validation, and Netty's flood bounds (README: HTTP/2 protections).
 */
final class Http2FrontendBuilder extends AbstractHttp2ConnectionHandlerBuilder<Http2Frontend, Http2FrontendBuilder> {
    private final ProxyContext context;

    Http2FrontendBuilder(ProxyContext context) {
        this.context = context;
    }

    Http2Frontend create() {
        RouterConfig.Proxy config = context.config();
        connection(Http2Tuning.connection(true));
        headerSensitivityDetector(Http2Tuning.NEVER_INDEXED);
        validateHeaders(true);
        validateRequiredPseudoHeaders(true);
        initialSettings(Http2Settings.defaultSettings()
                .maxConcurrentStreams(config.http2().maxConcurrentStreams())
                .maxHeaderListSize(config.maxHeaderSize())
                .initialWindowSize(config.http2().initialStreamWindow())
                // RFC 8441: WebSockets over HTTP/2 (extended CONNECT), see Http2WebSocketLeg.
                .connectProtocolEnabled(true));
        decoderEnforceMaxRstFramesPerWindow(Http2Frontend.MAX_RST_FRAMES, Http2Frontend.RST_WINDOW_SECONDS);
        encoderEnforceMaxRstFramesPerWindow(Http2Frontend.MAX_RST_FRAMES, Http2Frontend.RST_WINDOW_SECONDS);
        encoderEnforceMaxQueuedControlFrames(Http2Frontend.MAX_QUEUED_CONTROL_FRAMES);
        decoderEnforceMaxSmallContinuationFrames(Http2Frontend.MAX_SMALL_CONTINUATION_FRAMES);
        decoderEnforceMaxConsecutiveEmptyDataFrames(Http2Frontend.MAX_CONSECUTIVE_EMPTY_DATA_FRAMES);
        gracefulShutdownTimeoutMillis(config.drainTimeout().toMillis());
        return build();
    }

    @Override
    protected Http2Frontend build(
            Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
        return new Http2Frontend(decoder, encoder, initialSettings, context);
    }
}
