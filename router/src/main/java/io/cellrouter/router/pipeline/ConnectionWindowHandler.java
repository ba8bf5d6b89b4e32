package io.cellrouter.router.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;

/**
 * Raises the HTTP/2 connection-level receive window from the protocol's 65,535 bytes to
 * {@code proxy.http2.connectionWindow} (one WINDOW_UPDATE on stream 0), then steps aside. The
 * stream windows come from SETTINGS; the connection window bounds what one client can make the
 * router hold across all of its streams.
 */
final class ConnectionWindowHandler extends ChannelInboundHandlerAdapter {

    private final int connectionWindow;

    ConnectionWindowHandler(int connectionWindow) {
        this.connectionWindow = connectionWindow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Http2Exception {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec != null) {
            Http2Connection connection = codec.connection();
            int delta =
                    connectionWindow - connection.local().flowController().windowSize(connection.connectionStream());
            if (delta > 0) {
                connection.local().flowController().incrementWindowSize(connection.connectionStream(), delta);
                ctx.flush();
            }
        }
        ctx.pipeline().remove(this);
    }
}
