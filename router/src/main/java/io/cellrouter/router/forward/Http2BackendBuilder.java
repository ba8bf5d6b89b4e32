package io.cellrouter.router.forward;

import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2LocalFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.concurrent.Promise;

/**
 * Builds the {@link Http2Backend} of a new connection to a cell: the connection window acknowledged
 * as DATA arrives, each stream's window {@link Http2Backend#STREAM_WINDOW}, no server push, and the
 * cell's headers validated (an answer head HTTP/2 forbids resets its stream: {@code
 * bad_cell_response}).
 */
final class Http2BackendBuilder extends AbstractHttp2ConnectionHandlerBuilder<Http2Backend, Http2BackendBuilder> {
    private final Promise<Void> ready;
    private final String cell;

    Http2BackendBuilder(Promise<Void> ready, String cell) {
        this.ready = ready;
        this.cell = cell;
    }

    Http2Backend create() {
        Http2Connection connection = Http2Tuning.connection(false);
        connection
                .local()
                .flowController(new DefaultHttp2LocalFlowController(
                        connection, DefaultHttp2LocalFlowController.DEFAULT_WINDOW_UPDATE_RATIO, true));
        connection(connection);
        headerSensitivityDetector(Http2Tuning.NEVER_INDEXED);
        validateHeaders(true);
        validateRequiredPseudoHeaders(true);
        initialSettings(
                Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(Http2Backend.STREAM_WINDOW));
        return build();
    }

    @Override
    protected Http2Backend build(
            Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
        return new Http2Backend(decoder, encoder, initialSettings, ready, cell);
    }
}
