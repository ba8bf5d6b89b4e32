package io.cellrouter.registry.token;

/** Where the current {@link KeySet} comes from: fixed, or a watched key file ({@link WatchedKeyFile}). */
public interface KeySource {

    /** The key set in force now; the same object until the keys change. Cheap: a volatile read. */
    KeySet current();

    static KeySource of(KeySet keys) {
        return () -> keys;
    }
}
