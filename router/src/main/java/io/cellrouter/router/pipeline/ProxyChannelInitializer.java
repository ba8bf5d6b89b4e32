package io.cellrouter.router.pipeline;

import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.forward.DrainState;
import io.cellrouter.router.forward.Http1ProxyHandler;
import io.cellrouter.router.forward.Http2Frontend;
import io.cellrouter.router.forward.ProxyContext;
import io.cellrouter.router.transport.ClientAddress;
import io.cellrouter.router.transport.LingerOnClose;
import io.cellrouter.router.transport.ShutdownInputOnClose;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Assembles the pipeline of a client connection on a proxy listener. The whole path of a request
 * reads top to bottom here:
 *
 * <pre>
 *  every connection: ─▶ overload (OverloadGuard: too many connections / heap full → closed on accept)
 *  proxy.proxyProtocol on: ─▶ proxy-protocol (HAProxyMessageDecoder) ─▶ proxy-protocol-reader
 *                          (ProxyProtocolReader: trusted proxies only; the ClientAddress from the
 *                           header; the handlers below are added once it is read)
 *  otherwise: the ClientAddress is the socket's peer
 *  cleartext listener:
 *   socket ─▶ h2c-or-http1 (prior-knowledge preface → HTTP/2; else HttpServerCodec, and
 *                           Upgrade: h2c → HTTP/2 with the upgrading request as stream 1)
 *  TLS listener:
 *   socket ─▶ tls (SslHandler) ─▶ alpn (h2 → HTTP/2, else HTTP/1.1; a failed handshake: closed,
 *                                       counted by TlsHandshakeFailures, never logged at WARN)
 *
 *  HTTP/1.1:  ─▶ head-deadline (RequestHeadGuard: slow-loris 408, obs-fold 400) ─▶ http1-codec (strict RFC 9112 framing)
 *             ─▶ http1-strict (Host, Transfer-Encoding, Content-Length, header count, body size)
 *             ─▶ idle (idle connection, stalled body) ─▶ h1-switch (Http1UpgradeSwitch, cleartext: h2c)
 *             ─▶ proxy (Http1ProxyHandler: identity → routing → forward; Http1ResponseRelay: the answer)
 *  HTTP/2:    ─▶ idle ─▶ h2-headers (Http2HeaderBlockGuard: a header block must arrive whole in time)
 *             ─▶ h2 (Http2Frontend: limits, flood protections, idle close, drain; each stream an
 *                    Http2Exchange: identity → routing → frames relayed to the cell)
 * </pre>
 *
 * <p>Each HTTP/2 stream is routed on its own: two streams of one connection may go to two cells.
 *
 * <p>HTTP/2 limits (README: HTTP/2 protections), with Netty's protections switched on explicitly:
 * <ul>
 *   <li>SETTINGS_MAX_CONCURRENT_STREAMS {@code proxy.http2.maxConcurrentStreams} (100): a stream
 *       over it is refused (RST_STREAM REFUSED_STREAM);
 *   <li>SETTINGS_MAX_HEADER_LIST_SIZE = {@code proxy.maxHeaderSize}; header names and values are
 *       validated (RFC 9113 section 8.2);
 *   <li>rapid reset (CVE-2023-44487): more than 200 RST_STREAM received in 30 s ends the
 *       connection with GOAWAY ENHANCE_YOUR_CALM; the same bound on resets the router sends
 *       (MadeYouReset);
 *   <li>CONTINUATION flood: at most 16 small CONTINUATION frames per header block;
 *   <li>control-frame flood (SETTINGS/PING left unread): at most 10,000 queued control frames;
 *   <li>at most 2 consecutive empty DATA frames.
 * </ul>
 */
public final class ProxyChannelInitializer extends ChannelInitializer<Channel> {

    /** Body chunks are relayed in parts of at most this many bytes. */
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    /** An HTTP/1.1 request that asks to upgrade to h2c is read whole; a larger one is served as HTTP/1.1. */
    static final int MAX_UPGRADE_BODY = 64 * 1024;

    private final ProxyContext context;
    private final ChannelGroup channels;
    /** The listener's current TLS context (it changes when the certificate is rotated); null: cleartext. */
    private final Supplier<SslContext> tls;

    private final ProxyProtocolRejections proxyProtocolRejections;
    private final TlsHandshakeFailures handshakeFailures;

    /** {@code tls} null: the cleartext listener. */
    public ProxyChannelInitializer(ProxyContext context, ChannelGroup channels, Supplier<SslContext> tls) {
        this.context = context;
        this.channels = channels;
        this.tls = tls;
        this.proxyProtocolRejections =
                new ProxyProtocolRejections(context.recorder().metrics().registry());
        this.handshakeFailures =
                new TlsHandshakeFailures(context.recorder().metrics().registry());
    }

    public ProxyChannelInitializer(ProxyContext context, ChannelGroup channels) {
        this(context, channels, null);
    }

    @Override
    protected void initChannel(Channel ch) {
        ShutdownInputOnClose.install(ch);
        DrainState.connectionOpened(ch, System.nanoTime());
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("overload", context.overload());
        if (context.config().proxyProtocol() != RouterConfig.ProxyProtocol.OFF) {
            ProxyProtocolReader.addTo(p, context.config(), proxyProtocolRejections, this::addProtocolHandlers);
        } else {
            InetAddress peer = ClientAddress.peer(ch);
            if (peer != null) {
                ClientAddress.record(ch, peer, context.config()::trusts);
            }
            addProtocolHandlers(p);
        }
    }

    private void addProtocolHandlers(ChannelPipeline p) {
        if (tls != null) {
            addTlsHandlers(p);
        } else {
            addCleartextHandlers(p);
        }
    }

    private void addTlsHandlers(ChannelPipeline p) {
        // The context of the moment: a rotated certificate serves new handshakes at once.
        SslHandler tlsHandler = tls.get().newHandler(p.channel().alloc());
        p.addLast("tls", tlsHandler);
        p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    addHttp2Handlers(ctx.pipeline());
                } else {
                    addHttp1Handlers(ctx.pipeline(), newHttp1Codec());
                }
            }

            // Netty's own handling logs each failed handshake at WARN with the exception's message
            // (which may quote the client's bytes): TlsHandshakeFailures closes, counts, and logs
            // at DEBUG instead.
            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                handshakeFailures.failed(ctx, cause);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
                if (tlsHandler.handshakeFuture().isSuccess()) {
                    super.exceptionCaught(ctx, cause); // configurePipeline failed: a bug, logged loudly
                } else {
                    handshakeFailures.failed(ctx, cause);
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                // A handshake that timed out is reported by this event alone; other failures also
                // come to exceptionCaught, where they are counted.
                if (evt instanceof SslHandshakeCompletionEvent handshake
                        && handshake.cause() instanceof SslHandshakeTimeoutException) {
                    handshakeFailures.failed(ctx, handshake.cause());
                }
                super.userEventTriggered(ctx, evt);
            }
        });
    }

    private void addCleartextHandlers(ChannelPipeline p) {
        HttpServerCodec http1 = newHttp1Codec();
        HttpServerUpgradeHandler upgrade =
                new HttpServerUpgradeHandler(
                        http1,
                        protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                                ? new GuardedUpgradeCodec(Http2Frontend.create(context), newRequestValidator())
                                : null,
                        MAX_UPGRADE_BODY) {
                    @Override
                    protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
                        return h2cUpgradeTaken(request);
                    }
                };
        p.addLast(Http1ProxyHandler.HEAD_DEADLINE, newHeadDeadline());
        p.addLast(
                "h2c-or-http1",
                new CleartextHttp2ServerUpgradeHandler(http1, upgrade, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        addHttp2Handlers(ch.pipeline());
                    }
                }));
        addHttp1Handlers(p, null);
    }

    /**
     * Whether a first request's {@code Upgrade} is taken up, so that the request is read whole
     * first: only an upgrade to h2c whose body is known to fit ({@link #MAX_UPGRADE_BODY}). Any
     * other request with an {@code Upgrade} (a WebSocket handshake, h2c with a larger or chunked
     * body) is served as HTTP/1.1 as it streams in, its {@code Upgrade} handled or removed like any
     * later request's: Netty would read it whole too, and answer a bare 413 past the limit.
     */
    static boolean h2cUpgradeTaken(HttpRequest request) {
        // containsValue reads comma-separated lists ("Upgrade: websocket, h2c").
        if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, true)
                || request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        try {
            return HttpUtil.getContentLength(request, 0L) <= MAX_UPGRADE_BODY;
        } catch (NumberFormatException e) {
            return false; // not a length: the strict validator answers it
        }
    }

    /** {@code codec} null: the codec was added by the cleartext upgrade handler already. */
    private void addHttp1Handlers(ChannelPipeline p, HttpServerCodec codec) {
        if (codec != null) {
            p.addLast(Http1ProxyHandler.HEAD_DEADLINE, newHeadDeadline());
            p.addLast("http1-codec", codec);
        }
        p.addLast("http1-strict", newRequestValidator());
        p.addLast("idle", newIdleHandler());
        if (codec == null) {
            // Cleartext: the connection may still switch to HTTP/2 (h2c Upgrade or prior knowledge).
            p.addLast("h1-switch", new Http1UpgradeSwitch(Http1ProxyHandler.HEAD_DEADLINE, "http1-strict", "proxy"));
        }
        p.addLast("proxy", new Http1ProxyHandler(context));
    }

    private void addHttp2Handlers(ChannelPipeline p) {
        if (p.get("idle") == null) {
            p.addLast("idle", newIdleHandler());
        }
        p.addLast(LingerOnClose.NAME, new LingerOnClose());
        p.addLast("h2-headers", newHeaderBlockGuard());
        p.addLast("h2", Http2Frontend.create(context));
    }

    /**
     * Reader idle: a request body that stops arriving ({@code requestBodyTimeout}); all idle: a
     * connection with nothing to do ({@code idleTimeout}).
     */
    private ClientIdleTimeouts newIdleHandler() {
        RouterConfig.Proxy config = context.config();
        return new ClientIdleTimeouts(
                config.limits().requestBodyTimeout().toMillis(),
                config.idleTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private Http2HeaderBlockGuard newHeaderBlockGuard() {
        return new Http2HeaderBlockGuard(
                context.config().limits().requestHeaderTimeout().toMillis(),
                code -> context.recorder().rejected("h2", code));
    }

    private Http1RequestValidator newRequestValidator() {
        RouterConfig.Proxy config = context.config();
        return new Http1RequestValidator(
                config.limits().maxHeaderCount(), config.limits().maxBodySize());
    }

    /**
     * The h2c {@code Upgrade} path: Netty's upgrade codec puts the HTTP/2 codec in place before
     * the 101 is sent; the header-block guard goes in front of it then, before the client's
     * preface can arrive. Netty's upgrade handler sits before {@code http1-strict}, so the upgrade
     * request is checked here first: one that would be refused as HTTP/1.1 (two Hosts, a Host
     * with userinfo, none) is not upgraded but passed on as HTTP/1.1, and refused there.
     */
    private final class GuardedUpgradeCodec implements HttpServerUpgradeHandler.UpgradeCodec {
        private final Http2Frontend codec;
        private final Http2ServerUpgradeCodec delegate;
        private final Http1RequestValidator validator;

        GuardedUpgradeCodec(Http2Frontend codec, Http1RequestValidator validator) {
            this.codec = codec;
            this.delegate = new Http2ServerUpgradeCodec(codec);
            this.validator = validator;
        }

        @Override
        public java.util.Collection<CharSequence> requiredUpgradeHeaders() {
            return delegate.requiredUpgradeHeaders();
        }

        @Override
        public boolean prepareUpgradeResponse(
                ChannelHandlerContext ctx,
                io.netty.handler.codec.http.FullHttpRequest upgradeRequest,
                io.netty.handler.codec.http.HttpHeaders upgradeHeaders) {
            return validator.check(upgradeRequest) == null
                    && delegate.prepareUpgradeResponse(ctx, upgradeRequest, upgradeHeaders);
        }

        @Override
        public void upgradeTo(ChannelHandlerContext ctx, io.netty.handler.codec.http.FullHttpRequest upgradeRequest) {
            delegate.upgradeTo(ctx, upgradeRequest);
            ChannelHandlerContext codecContext = ctx.pipeline().context(codec);
            if (codecContext != null) {
                ctx.pipeline().addBefore(codecContext.name(), LingerOnClose.NAME, new LingerOnClose());
                ctx.pipeline().addBefore(codecContext.name(), "h2-headers", newHeaderBlockGuard());
            }
        }
    }

    private RequestHeadGuard newHeadDeadline() {
        return new RequestHeadGuard(
                context.config().limits().requestHeaderTimeout().toMillis(),
                code -> context.recorder().rejected("http1", code));
    }

    private HttpServerCodec newHttp1Codec() {
        RouterConfig.Proxy config = context.config();
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true));
    }
}
