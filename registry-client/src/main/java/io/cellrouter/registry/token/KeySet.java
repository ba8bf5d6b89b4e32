package io.cellrouter.registry.token;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys that verify tokens at one moment, immutable. A reload makes a new key set with a
 * higher {@link #generation()}; a verified token remembered by the cache is trusted only while the
 * key set it was verified with is still the current one (a removed key stops working at once).
 */
public final class KeySet {

    private final List<VerificationKey> keys;
    private final Map<String, VerificationKey> byId;
    private final long generation;

    /** Throws {@link KeyFileException} when two keys share a key id. */
    public KeySet(List<VerificationKey> keys, long generation) {
        this.keys = List.copyOf(keys);
        this.generation = generation;
        Map<String, VerificationKey> ids = new HashMap<>();
        for (VerificationKey key : this.keys) {
            if (key.keyId() != null && ids.put(key.keyId(), key) != null) {
                throw new KeyFileException("two keys have the key id '" + key.keyId() + "'");
            }
        }
        this.byId = Map.copyOf(ids);
    }

    public List<VerificationKey> keys() {
        return keys;
    }

    /** Starts at 1 and grows by one with each successful reload of a key file. */
    public long generation() {
        return generation;
    }

    /** The key with this {@code kid}, or null. */
    public VerificationKey byId(String keyId) {
        return byId.get(keyId);
    }

    @Override
    public String toString() {
        return "KeySet(generation " + generation + ", " + keys + ")";
    }
}
