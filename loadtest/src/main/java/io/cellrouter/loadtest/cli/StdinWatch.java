package io.cellrouter.loadtest.cli;

import java.io.IOException;

/** Ends a bench child when its parent goes: the parent holds the child's stdin open while it lives. */
final class StdinWatch {

    private StdinWatch() {}

    /** Starts a daemon thread that reads stdin to its end and then exits the JVM (status 0). */
    static void exitAtEnd() {
        Thread watcher = new Thread(
                () -> {
                    try {
                        while (System.in.read() >= 0) {
                            // Ignore input; only the end of it matters.
                        }
                    } catch (IOException e) {
                        // Treated as the end.
                    }
                    System.exit(0);
                },
                "stdin-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
