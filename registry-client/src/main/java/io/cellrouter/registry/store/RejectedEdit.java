package io.cellrouter.registry.store;

import java.time.Instant;
import java.util.Locale;

/**
 * An edit of the registry that the store refused, so that the last good registry stays in force:
 * when, why (a {@link Reason}, also the {@code reason} tag of {@code
 * cellrouter_registry_rejected_edits_total}) and what the store said (it names the file and, for an
 * invalid document, the key and value).
 */
public record RejectedEdit(Instant at, Reason reason, String message) {

    /** Why an edit was refused. */
    public enum Reason {
        /** The document does not parse or breaks a rule (unknown key, bad endpoint, dangling cell...). */
        INVALID,
        /** The file is missing or cannot be read. */
        UNREADABLE,
        /** It would remove more than {@code registry.maxRemovalFraction} of the placements. */
        TOO_MANY_REMOVALS,
        /** It would remove a cell that still holds customers. */
        CELL_IN_USE;

        /** The metric tag and JSON value: {@code too_many_removals}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
