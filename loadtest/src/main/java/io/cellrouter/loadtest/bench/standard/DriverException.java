package io.cellrouter.loadtest.bench.standard;

/**
 * A standard client could not produce a result: it failed to start, exited with an error, timed
 * out, or printed something its parser does not recognise. The message says which, with the tail
 * of the tool's output; the runner records it in the target's cell of the table and goes on.
 */
public final class DriverException extends Exception {

    private static final long serialVersionUID = 1L;

    public DriverException(String message) {
        super(message);
    }

    public DriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
