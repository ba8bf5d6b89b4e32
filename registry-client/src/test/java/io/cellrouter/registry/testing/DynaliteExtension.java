package io.cellrouter.registry.testing;

import java.io.IOException;
import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-memory {@link Dynalite} for a test class: register it as a static field with
 * {@code @RegisterExtension}. Tests isolate themselves by using a table of their own. When dynalite
 * is not installed the class fails (with how to install it), it is not skipped.
 */
public final class DynaliteExtension implements BeforeAllCallback, AfterAllCallback {

    private Dynalite dynalite;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dynalite = Dynalite.startInMemory();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (dynalite != null) {
            dynalite.close();
        }
    }

    public Dynalite dynalite() {
        return dynalite;
    }

    public URI endpoint() {
        return dynalite.endpoint();
    }
}
