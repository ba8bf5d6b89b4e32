package io.cellrouter.router;

import io.cellrouter.registry.cache.RegistryHealth;
import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.cache.ResolverBuilder;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.router.accesslog.AccessLog;
import io.cellrouter.router.admin.AdminChannelInitializer;
import io.cellrouter.router.admission.Bulkheads;
import io.cellrouter.router.admission.OverloadGuard;
import io.cellrouter.router.config.Addresses;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.forward.CustomerExchanges;
import io.cellrouter.router.forward.DrainState;
import io.cellrouter.router.forward.ExchangeRecorder;
import io.cellrouter.router.forward.MoveAwareListener;
import io.cellrouter.router.forward.MovedCustomerCloser;
import io.cellrouter.router.forward.ProxyContext;
import io.cellrouter.router.forward.UpstreamPool;
import io.cellrouter.router.identity.IdentityResolver;
import io.cellrouter.router.metrics.LiveStats;
import io.cellrouter.router.metrics.RouterMetrics;
import io.cellrouter.router.pipeline.ProxyChannelInitializer;
import io.cellrouter.router.pipeline.ReloadingSslContext;
import io.cellrouter.router.pipeline.TlsContexts;
import io.cellrouter.router.registry.RegistryStores;
import io.cellrouter.router.routing.RequestRouter;
import io.cellrouter.router.transport.Buffers;
import io.cellrouter.router.transport.LingerOnClose;
import io.cellrouter.router.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running router: the proxy listener, the admin listener, the registry store and its cached
 * resolver, wired together. {@link #start} returns once both listeners are bound; readiness
 * ({@code /readyz}) follows when the registry has loaded.
 *
 * <p>Lifecycle: {@link #drainAndStop} is the graceful path of SIGTERM (README "Operations"): readiness
 * goes false, the listeners stop accepting, connections between requests close (one yet to send
 * its first request gets a few seconds to send it: {@link ConnectionDrain}), busy ones finish their
 * exchange with {@code Connection: close}, bounded by the drain timeout; then everything closes.
 */
public final class RouterServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);

    private final RouterConfig config;
    private final Clock clock;
    private final Transport transport;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    /** The admin listener's own thread: probes and scrapes are answered however busy the proxy's loops are. */
    private final EventLoopGroup adminGroup;

    private final RegistryStore store;
    private final Resolver resolver;
    private final RouterMetrics metrics;
    private final AccessLog accessLog;
    private final DnsAddressResolverGroup dns;
    private final DrainState drain = new DrainState();
    private final ChannelGroup clientChannels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    /** In-flight exchanges by customer: a move ends the moved customer's after the grace period. */
    private final CustomerExchanges exchanges = new CustomerExchanges();
    /** Live traffic per cell of the last seconds, for the admin API's stats and the console. */
    private final LiveStats liveStats = new LiveStats(System::currentTimeMillis);

    private Bulkheads bulkheads;
    private Channel proxyChannel;
    private Channel tlsChannel;
    private Channel adminChannel;
    private IdentityResolver identities;
    /** Certificates watched for rotation (the TLS listener's, the client certificate for cells). */
    private final java.util.List<ReloadingSslContext> certificates = new java.util.ArrayList<>();

    private volatile boolean stopped;

    private RouterServer(RouterConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.transport = Transport.detect();
        this.bossGroup = transport.newGroup(1, "cellrouter-accept");
        // One event loop per core unless proxy.eventLoops says otherwise: more loops than cores only
        // adds context switches.
        this.workerGroup = transport.newGroup(config.proxy().eventLoopCount(), "cellrouter-io");
        this.adminGroup = transport.newGroup(1, "cellrouter-admin");
        this.metrics = new RouterMetrics();
        this.store = RegistryStores.open(config.registry(), clock, metrics::registryEditRejected);
        // The placement cache's maintenance runs on the calling thread (an event loop): it is short
        // and amortised, and handing it to another thread cost a wake-up (unpark) on the read path.
        ResolverBuilder resolverBuilder = Resolver.builder()
                .executor(Runnable::run)
                .store(store)
                .config(config.resolver())
                .clock(clock)
                .listener(new MoveAwareListener(
                        metrics.resolverListener(this::cacheSize),
                        new MovedCustomerCloser(
                                exchanges, this::resolver, config.admin().moveGracePeriod())));
        if (config.registry().snapshot() != null) {
            resolverBuilder.snapshot(config.registry().snapshot()); // last-known-good (static stability)
        }
        this.resolver = resolverBuilder.build();
        metrics.registryState(
                () -> resolver.health().origin() == RegistryHealth.Origin.SNAPSHOT,
                () -> resolver.health().storeDown());
        metrics.readiness(this::ready);
        // The counter reads the resolver, which this server holds (a meter holds its object weakly).
        metrics.snapshotFailures(resolver, r -> r.health().snapshotFailures());
        metrics.registryStoreProblems(store, RegistryStore::lostFeedAppends, RegistryStore::skippedItems);
        this.accessLog = config.accessLog().enabled()
                ? new AccessLog(config.accessLog().queueSize(), metrics::accessLogDropped)
                : null;
        this.dns = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel()));
    }

    private long cacheSize() {
        return resolver == null ? 0 : resolver.cacheSize();
    }

    /** Builds and binds the router; throws (after cleaning up) when a listener cannot bind. */
    public static RouterServer start(RouterConfig config, Clock clock) throws InterruptedException {
        RouterServer server = new RouterServer(config, clock);
        try {
            server.bind();
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind() throws InterruptedException {
        resolver.start().whenComplete((ok, e) -> {
            if (e != null) {
                if (!resolver.isReady()) { // else it serves its snapshot, as the registry's own line said
                    LOG.warn(
                            "registry not loaded yet ({}); retrying in the background, not ready until it loads",
                            e.getMessage());
                }
            } else {
                LOG.info(
                        "registry loaded: {} cells, {} cached placements",
                        resolver.cells().size(),
                        resolver.cacheSize());
            }
        });
        identities = IdentityResolver.fromConfig(config.identity());
        RequestRouter router = new RequestRouter(identities, resolver);
        UpstreamPool pool = new UpstreamPool(
                transport,
                config.proxy().upstream(),
                metrics,
                dns,
                config.proxy().maxInitialLineLength(),
                config.proxy().maxHeaderSize(),
                cellTls(config.proxy().upstream()),
                config.proxy().limits().maxPendingConnectsPerCell());
        bulkheads = new Bulkheads(config.proxy().limits(), System::nanoTime);
        OverloadGuard overload =
                new OverloadGuard(config.proxy().limits().maxConnections(), metrics::connectionsRefused);
        metrics.clientConnections(overload::openConnections);
        ProxyContext context = new ProxyContext(
                router,
                pool,
                new ExchangeRecorder(metrics, accessLog, Clock.systemUTC(), liveStats),
                config.proxy(),
                drain,
                "http",
                bulkheads,
                overload,
                exchanges);

        proxyChannel = bindProxy(config.proxy().listen(), "proxy.listen", context, null);
        if (config.proxy().tls() != null) {
            ProxyContext tlsContext = context.withScheme("https");
            tlsChannel = bindProxy(
                    config.proxy().tls().listen(),
                    "proxy.tls.listen",
                    tlsContext,
                    watched(ReloadingSslContext.forListener(config.proxy().tls(), metrics.registry())));
        }
        ServerBootstrap admin = new ServerBootstrap()
                .group(adminGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .childHandler(new AdminChannelInitializer(
                        resolver,
                        store,
                        metrics,
                        this::ready,
                        config.admin().allTokens(),
                        clock,
                        liveStats,
                        bulkheads::inFlight,
                        config.admin().maxConnections(),
                        config.admin().requestTimeout()));
        adminChannel = Listeners.bind(admin, config.admin().listen(), "admin.listen", metrics);
        LOG.info(
                "cell-router {} started: proxy http://{}{} admin http://{} registry {} transport {}",
                version(),
                Addresses.format(proxyAddress()),
                tlsChannel == null
                        ? ""
                        : " https://" + Addresses.format(tlsAddress()) + " (" + Transport.sslProvider() + ")",
                Addresses.format(adminAddress()),
                RegistryStores.describe(config.registry()),
                transport.name() + transport.why());
    }

    /** The TLS context for {@code https://} cells: watched when it presents a client certificate. */
    private Supplier<SslContext> cellTls(RouterConfig.Upstream upstream) {
        if (upstream.clientCertificate() == null) {
            SslContext fixed = TlsContexts.client(upstream.trustCertificates());
            return () -> fixed;
        }
        return watched(ReloadingSslContext.forCells(upstream, metrics.registry()));
    }

    private ReloadingSslContext watched(ReloadingSslContext context) {
        certificates.add(context);
        return context;
    }

    private Channel bindProxy(InetSocketAddress address, String key, ProxyContext context, Supplier<SslContext> tls)
            throws InterruptedException {
        ServerBootstrap proxy = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .childOption(ChannelOption.ALLOCATOR, Buffers.ALLOCATOR)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ProxyChannelInitializer(context, clientChannels, tls));
        return Listeners.bind(proxy, address, key, metrics);
    }

    public boolean ready() {
        return resolver.isReady() && !drain.draining() && !stopped;
    }

    public InetSocketAddress proxyAddress() {
        return (InetSocketAddress) proxyChannel.localAddress();
    }

    /** The TLS listener's address, or null when there is none. */
    public InetSocketAddress tlsAddress() {
        return tlsChannel == null ? null : (InetSocketAddress) tlsChannel.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return (InetSocketAddress) adminChannel.localAddress();
    }

    public Resolver resolver() {
        return resolver;
    }

    public io.cellrouter.router.admission.Bulkheads bulkheads() {
        return bulkheads;
    }

    public RouterMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: stop accepting, let in-flight exchanges finish (at most {@code timeout}),
     * close what is left. Returns true when nothing was cut off.
     */
    public boolean drainAndStop(Duration timeout) {
        if (!drain.startDraining()) {
            return true;
        }
        LOG.info("draining: {} exchanges in flight, up to {} ms", drain.inFlight(), timeout.toMillis());
        long delay = config.proxy().drainDelay().toMillis();
        if (delay > 0) {
            // Readiness is false now; give the load balancer time to notice before the listeners
            // close, still serving (with Connection: close) whatever arrives meanwhile.
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeListeners();
        boolean clean = new ConnectionDrain(drain, clientChannels, workerGroup).await(timeout);
        close();
        return clean;
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        closeListeners();
        if (adminChannel != null) {
            adminChannel.close().awaitUninterruptibly();
        }
        for (Channel ch : clientChannels) {
            ch.pipeline().fireUserEventTriggered(LingerOnClose.CLOSE_AT_ONCE);
        }
        clientChannels.close().awaitUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        adminGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        dns.close();
        certificates.forEach(ReloadingSslContext::close);
        resolver.close();
        store.close();
        if (identities != null) {
            identities.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
        LOG.info("cell-router stopped");
    }

    private void closeListeners() {
        for (Channel listener : new Channel[] {proxyChannel, tlsChannel}) {
            if (listener != null) {
                listener.close().awaitUninterruptibly();
            }
        }
    }

    public static String version() {
        String v = RouterServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
