package io.cellrouter.registry.store.file;

import static java.util.Objects.requireNonNull;

import io.cellrouter.registry.store.RejectedEdit;
import java.util.function.Consumer;

/**
 * How a {@link FileRegistryStore} treats its file.
 *
 * @param maxRemovalFraction an edit on disk that removes more than this share of the placements is
 *     refused (the last good document stays in force); 0 refuses every removal, 1 allows any
 * @param rejectedEdits told of every edit the store refuses (on the store's threads; must be quick)
 * @param startWithoutDocument when the file is missing or invalid at open, open anyway with reads
 *     failing as a store that is down, until the file is readable and valid (a router then serves
 *     its last-known-good snapshot meanwhile); otherwise opening fails
 */
public record FileStoreOptions(
        double maxRemovalFraction, Consumer<RejectedEdit> rejectedEdits, boolean startWithoutDocument) {

    /** One placement in ten. */
    public static final double DEFAULT_MAX_REMOVAL_FRACTION = 0.1;

    public FileStoreOptions {
        if (!(maxRemovalFraction >= 0 && maxRemovalFraction <= 1)) {
            throw new IllegalArgumentException("maxRemovalFraction must be between 0 and 1, was " + maxRemovalFraction);
        }
        requireNonNull(rejectedEdits, "rejectedEdits");
    }

    public static FileStoreOptions defaults() {
        return new FileStoreOptions(DEFAULT_MAX_REMOVAL_FRACTION, edit -> {}, false);
    }

    public FileStoreOptions withMaxRemovalFraction(double value) {
        return new FileStoreOptions(value, rejectedEdits, startWithoutDocument);
    }

    public FileStoreOptions withRejectedEdits(Consumer<RejectedEdit> value) {
        return new FileStoreOptions(maxRemovalFraction, value, startWithoutDocument);
    }

    public FileStoreOptions withStartWithoutDocument(boolean value) {
        return new FileStoreOptions(maxRemovalFraction, rejectedEdits, value);
    }
}
