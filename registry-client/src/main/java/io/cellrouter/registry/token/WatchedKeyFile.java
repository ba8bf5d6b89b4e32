package io.cellrouter.registry.token;

import io.cellrouter.registry.watch.FileChangeWatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key file (JWK Set or PEM public keys) that is re-read when it changes: keys are rotated by
 * editing the file, without a restart. Fixed keys (the configured HMAC secret) are added to every
 * key set it makes.
 *
 * <pre>
 *  watch thread: directory event ─(quiet for debounce)─┐
 *                every recheckInterval ────────────────┴─► reload(): same bytes? nothing
 *                                                                   parses?    new KeySet(generation + 1)
 *                                                                   broken?    log, keep the last good keys
 * </pre>
 *
 * <p>A {@link FileChangeWatcher} watches the file's folder and reacts to any event in it (a
 * Kubernetes secret is swapped through a {@code ..data} symlink, an event that never names the
 * file). Comparing the bytes makes the extra reads cheap; the periodic recheck covers file systems
 * that send no events at all.
 *
 * <p>Concurrency: the watcher's thread calls {@link #reload()}, which is synchronized (callers may
 * call it too); readers see the current key set through a volatile field.
 */
public final class WatchedKeyFile implements KeySource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedKeyFile.class);

    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(30);
    private static final Duration DEBOUNCE = Duration.ofMillis(50);

    private final Path file;
    private final List<VerificationKey> fixedKeys;
    private final Set<TokenAlgorithm> permitted;
    private volatile FileChangeWatcher watcher;
    private volatile KeySet current;
    private byte[] lastContent;

    private WatchedKeyFile(Path file, List<VerificationKey> fixedKeys, Set<TokenAlgorithm> permitted)
            throws IOException {
        this.file = file.toAbsolutePath();
        this.fixedKeys = List.copyOf(fixedKeys);
        this.permitted = Set.copyOf(permitted);
        byte[] content = readBytes();
        this.current = new KeySet(withFixed(KeyFiles.verificationKeys(decode(content), file.toString(), permitted)), 1);
        this.lastContent = content;
    }

    /**
     * Reads {@code file} (which must hold at least one usable key: else {@link KeyFileException})
     * and starts watching it. {@code fixedKeys} are part of every key set.
     */
    public static WatchedKeyFile open(Path file, List<VerificationKey> fixedKeys, Set<TokenAlgorithm> permitted) {
        return open(file, fixedKeys, permitted, DEFAULT_RECHECK);
    }

    public static WatchedKeyFile open(
            Path file, List<VerificationKey> fixedKeys, Set<TokenAlgorithm> permitted, Duration recheck) {
        WatchedKeyFile watched;
        try {
            watched = new WatchedKeyFile(file, fixedKeys, permitted);
            watched.watcher = FileChangeWatcher.start(
                    "cell-router-keys-watch", List.of(watched.file), DEBOUNCE, recheck, watched::reloadQuietly);
        } catch (IOException e) {
            throw new KeyFileException(file + ": cannot be watched: " + e, e);
        }
        log.info("{}: {}", watched.file, describe(watched.current));
        return watched;
    }

    @Override
    public KeySet current() {
        return current;
    }

    /** 1 after the first load, one more after each reload that changed the keys. */
    public long generation() {
        return current.generation();
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the file now. Returns true when the keys changed; a file that cannot be read or holds
     * no usable key is logged and the last good keys stay in force.
     */
    public synchronized boolean reload() {
        byte[] content;
        try {
            content = readBytes();
        } catch (IOException e) {
            log.warn("{}: cannot be read ({}); keeping the keys of generation {}", file, e, current.generation());
            return false;
        }
        if (Arrays.equals(content, lastContent)) {
            return false;
        }
        lastContent = content;
        KeySet next;
        try {
            next = new KeySet(
                    withFixed(KeyFiles.verificationKeys(decode(content), file.toString(), permitted)),
                    current.generation() + 1);
        } catch (KeyFileException e) {
            log.warn(
                    "{}: edit ignored: {}; keeping the keys of generation {}",
                    file,
                    e.getMessage(),
                    current.generation());
            return false;
        }
        current = next;
        log.info("{}: reloaded: {}", file, describe(next));
        return true;
    }

    private List<VerificationKey> withFixed(List<VerificationKey> fromFile) {
        List<VerificationKey> all = new ArrayList<>(fixedKeys);
        all.addAll(fromFile);
        return all;
    }

    private byte[] readBytes() throws IOException {
        return Files.readAllBytes(file);
    }

    private static String decode(byte[] content) {
        return new String(content, StandardCharsets.UTF_8);
    }

    private static String describe(KeySet keys) {
        return keys.keys().size() + " verification keys, generation " + keys.generation() + " ["
                + keys.keys().stream().map(VerificationKey::toString).collect(Collectors.joining("; ")) + "]";
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            log.warn("{}: reloading the keys failed", file, e);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
