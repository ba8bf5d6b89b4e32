package io.cellrouter.registry.store;

/**
 * A registry document or a write is invalid (bad name, bad endpoint, unknown cell). For a document
 * the message holds every problem found, one per line, each naming the source, the key and the
 * value.
 */
public final class InvalidRegistryException extends RegistryException {
    private static final long serialVersionUID = 1L;

    /** Every problem of a document, in one exception: the message has one line per problem. */
    static InvalidRegistryException of(java.util.List<InvalidRegistryException> problems) {
        if (problems.size() == 1) {
            return problems.get(0);
        }
        InvalidRegistryException all = new InvalidRegistryException(
                String.join("\n", problems.stream().map(Throwable::getMessage).toList()));
        problems.forEach(all::addSuppressed);
        return all;
    }

    public InvalidRegistryException(String message) {
        super(message);
    }

    public InvalidRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
