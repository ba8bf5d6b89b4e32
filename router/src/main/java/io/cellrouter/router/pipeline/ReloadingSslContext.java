package io.cellrouter.router.pipeline;

import io.cellrouter.registry.watch.FileChangeWatcher;
import io.cellrouter.router.config.ConfigException;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.transport.KeyMaterial;
import io.cellrouter.router.transport.TlsPairCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS context built from a certificate and private key on disk and rebuilt when they change
 * (README: "Certificates that rotate"): the TLS listener's identity ({@code proxy.tls}) and the
 * client certificate shown to cells ({@code proxy.upstream}).
 *
 * <pre>
 *  FileChangeWatcher thread ─▶ reload(): both files read together; same bytes? nothing
 *                                        pair refused (unreadable, no key, key of another
 *                                        certificate: TlsPairCheck; on a reload, an expired
 *                                        certificate)? logged, counted (once for
 *                                        the same refusal), the old stays
 *                                        else the new context: every new handshake uses it
 *  event loops ─▶ get(): the current context (a volatile read) when a connection is set up
 * </pre>
 *
 * <p>Connections keep the context they were set up with: nothing is dropped by a rotation.
 * Meters: {@code cellrouter_tls_reloads_total{certificate, result=success|failure}} and {@code
 * cellrouter_tls_certificate_expiry_seconds{certificate}} (the current certificate's notAfter, as
 * Unix time).
 *
 * <p>Concurrency: {@link #reload()} is synchronized (the watcher's thread and tests call it); the
 * current context is published through a volatile field.
 */
public final class ReloadingSslContext implements Supplier<SslContext>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

    /** Also re-read this often, for file systems that send no change events. */
    static final Duration RECHECK = Duration.ofMinutes(1);

    private static final Duration DEBOUNCE = Duration.ofMillis(100);

    /** Builds a context from a pair; the listener and the cells' client differ only here. */
    @FunctionalInterface
    interface Builder {
        SslContext build(KeyMaterial pair) throws SSLException;
    }

    private final Clock clock;
    private final String name;
    private final Path certificate;
    private final Path privateKey;
    private final Builder builder;
    private final Counter successes;
    private final Counter failures;
    private volatile SslContext current;
    private volatile long notAfterSeconds;
    private byte[] lastDigest;
    /** Why the files could not be read the last time, if they could not: told once. */
    private String lastUnreadable;

    /** load(): the files are unreadable as they were the last time (already told). */
    private static final String UNREADABLE_AS_BEFORE = "unreadable as before";

    private FileChangeWatcher watcher;

    private ReloadingSslContext(
            String name, Path certificate, Path privateKey, Builder builder, MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.name = name;
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.builder = builder;
        this.successes = counter(registry, name, "success");
        this.failures = counter(registry, name, "failure");
    }

    /** The TLS listener's context, from {@code proxy.tls.certificate} and {@code privateKey}. */
    public static ReloadingSslContext forListener(RouterConfig.Tls tls, MeterRegistry registry) {
        return open("proxy.tls", tls.certificate(), tls.privateKey(), TlsContexts::server, registry, RECHECK);
    }

    /** The context for {@code https://} cells, presenting {@code clientCertificate} (which must be set). */
    public static ReloadingSslContext forCells(RouterConfig.Upstream upstream, MeterRegistry registry) {
        Path trust = upstream.trustCertificates();
        return open(
                "proxy.upstream",
                upstream.clientCertificate(),
                upstream.clientPrivateKey(),
                pair -> TlsContexts.client(trust, pair),
                registry,
                RECHECK);
    }

    /**
     * Loads the pair (refused: {@link ConfigException}, the router does not start) and starts
     * watching both files.
     */
    static ReloadingSslContext open(
            String name, Path certificate, Path privateKey, Builder builder, MeterRegistry registry, Duration recheck) {
        return open(name, certificate, privateKey, builder, registry, recheck, Clock.systemUTC());
    }

    /** As above; {@code clock} tells whether a new certificate has expired. */
    static ReloadingSslContext open(
            String name,
            Path certificate,
            Path privateKey,
            Builder builder,
            MeterRegistry registry,
            Duration recheck,
            Clock clock) {
        ReloadingSslContext context = openUnwatched(name, certificate, privateKey, builder, registry, clock);
        try {
            context.watcher = FileChangeWatcher.start(
                    "cell-router-tls-watch", List.of(certificate, privateKey), DEBOUNCE, recheck, context::reload);
        } catch (IOException e) {
            throw new ConfigException(name + ": cannot watch " + certificate + " and " + privateKey + ": " + e, e);
        }
        return context;
    }

    /**
     * Loads the pair, without watching the files: {@link #reload()} reads them only when called
     * (tests that change the files step by step, which a watcher's reload would race).
     */
    static ReloadingSslContext openUnwatched(
            String name, Path certificate, Path privateKey, Builder builder, MeterRegistry registry, Clock clock) {
        ReloadingSslContext context = new ReloadingSslContext(name, certificate, privateKey, builder, registry, clock);
        Gauge.builder("cellrouter.tls.certificate.expiry", context, c -> c.notAfterSeconds)
                .description("When the certificate in use expires (Unix time)")
                .baseUnit("seconds")
                .tag("certificate", name)
                .register(registry);
        String problem = context.load();
        if (problem != null) {
            throw new ConfigException(
                    name + ": cannot use certificate " + certificate + " and key " + privateKey + ": " + problem);
        }
        return context;
    }

    @Override
    public SslContext get() {
        return current;
    }

    /**
     * Reads the files now. Returns true when a new pair is in use; a pair that is refused is
     * logged and counted, and the one in use stays.
     */
    public synchronized boolean reload() {
        byte[] before = lastDigest;
        String problem = load();
        if (problem != null) {
            if (UNREADABLE_AS_BEFORE.equals(problem)) {
                return false; // read again (the watcher, then the recheck): told once, like refused bytes
            }
            failures.increment();
            LOG.warn(
                    "{}: new certificate {} and key {} refused, the one in use stays: {}",
                    name,
                    certificate,
                    privateKey,
                    problem);
            return false;
        }
        if (Arrays.equals(before, lastDigest)) {
            return false;
        }
        successes.increment();
        return true;
    }

    /**
     * Why {@code leaf} cannot be used at {@code now} (it has expired), or null. One not valid yet
     * is taken: certificate authorities date them back, so that is clock skew or a pair staged
     * early, which the router would otherwise refuse and count every minute.
     */
    static String expired(X509Certificate leaf, Instant now) {
        if (leaf != null && now.isAfter(leaf.getNotAfter().toInstant())) {
            return "the certificate expired at " + leaf.getNotAfter().toInstant();
        }
        return null;
    }

    /** Null when the current pair is in use (new or unchanged); else why the files were refused. */
    private synchronized String load() {
        KeyMaterial pair;
        try {
            pair = KeyMaterial.read(certificate, privateKey);
        } catch (IOException e) {
            String problem = "cannot be read: " + TlsPairCheck.describe(e);
            if (problem.equals(lastUnreadable)) {
                return UNREADABLE_AS_BEFORE;
            }
            lastUnreadable = problem;
            return problem;
        }
        lastUnreadable = null;
        byte[] digest = pair.digest();
        if (Arrays.equals(digest, lastDigest)) {
            return current == null ? "refused before" : null;
        }
        lastDigest = digest; // refused or not, the same bytes are not tried (nor counted) again
        String problem = TlsPairCheck.problem(pair);
        if (problem == null && current != null) {
            // A pair that works in a handshake but that every client refuses does not replace one
            // that is in use.
            problem = expired(pair.leaf(), clock.instant());
        }
        SslContext next = null;
        if (problem == null) {
            try {
                next = builder.build(pair);
            } catch (SSLException | IllegalArgumentException e) {
                problem = "cannot be used: " + TlsPairCheck.describe(e);
            }
        }
        if (problem != null) {
            return problem;
        }
        current = next;
        X509Certificate leaf = pair.leaf();
        notAfterSeconds = leaf == null ? 0 : leaf.getNotAfter().toInstant().getEpochSecond();
        LOG.info(
                "{}: certificate {} in use: {}",
                name,
                certificate,
                leaf == null
                        ? "?"
                        : leaf.getSubjectX500Principal() + ", expires "
                                + leaf.getNotAfter().toInstant());
        return null;
    }

    private static Counter counter(MeterRegistry registry, String name, String result) {
        return Counter.builder("cellrouter.tls.reloads")
                .description("Certificate and key pairs re-read after a change: taken (success) or refused (failure)")
                .tag("certificate", name)
                .tag("result", result)
                .register(registry);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
