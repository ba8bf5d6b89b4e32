package io.cellrouter.registry.store;

import java.util.List;

/**
 * What {@link RegistryStore#changesSince} returns: the changes, the cursor to ask from next time,
 * and whether changes may have been missed (then the caller reloads everything it holds).
 */
public record ChangeBatch(List<Change> changes, long cursor, boolean gap) {

    public ChangeBatch {
        changes = List.copyOf(changes);
    }
}
