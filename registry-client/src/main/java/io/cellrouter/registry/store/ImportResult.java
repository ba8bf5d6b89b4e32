package io.cellrouter.registry.store;

/**
 * What {@link RegistryStore#importDocument} did: items written (each also a change in the feed),
 * items already as the document says (not written), and writes that failed (a placement moved by
 * somebody else meanwhile, for one).
 */
public record ImportResult(
        int cellsWritten, int placementsWritten, int overridesWritten, int shadowsWritten, int unchanged, int failed) {

    /** A result without shadows. */
    public ImportResult(int cellsWritten, int placementsWritten, int overridesWritten, int unchanged, int failed) {
        this(cellsWritten, placementsWritten, overridesWritten, 0, unchanged, failed);
    }

    public int written() {
        return cellsWritten + placementsWritten + overridesWritten + shadowsWritten;
    }
}
