package io.cellrouter.registry.store.file;

import io.cellrouter.registry.store.RejectedEdit;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's record of refused edits: each refused content is logged, counted and reported
 * to the listener once (the watcher may see one edit several times), and the last one is kept for
 * {@code /readyz}.
 *
 * <p>Concurrency: written on the store's writer thread only; read from any thread.
 */
final class EditRefusals {

    private static final Logger log = LoggerFactory.getLogger(EditRefusals.class);

    private final Path file;
    private final Clock clock;
    private final Consumer<RejectedEdit> listener;
    private final AtomicLong count = new AtomicLong();
    private volatile RejectedEdit last;
    /** The SHA-256 of the content refused last ("missing" for no file), or null once a good edit was applied. */
    private String refusedContent;

    EditRefusals(Path file, Clock clock, Consumer<RejectedEdit> listener) {
        this.file = file;
        this.clock = clock;
        this.listener = listener;
    }

    void refused(RejectedEdit.Reason reason, String message, byte[] content) {
        String key = content == null ? "missing" : VersionSidecar.sha256(content);
        if (key.equals(refusedContent)) {
            return; // the same edit seen again
        }
        refusedContent = key;
        RejectedEdit edit = new RejectedEdit(clock.instant(), reason, message);
        last = edit;
        count.incrementAndGet();
        log.warn("{}: edit refused ({}): {}; the last good registry stays in force", file, reason.tag(), message);
        try {
            listener.accept(edit);
        } catch (RuntimeException e) {
            log.warn("{}: a listener of refused edits failed", file, e);
        }
    }

    /** A good document was applied: a later refusal of the same content counts again. */
    void resolved() {
        refusedContent = null;
    }

    long count() {
        return count.get();
    }

    Optional<RejectedEdit> last() {
        return Optional.ofNullable(last);
    }
}
