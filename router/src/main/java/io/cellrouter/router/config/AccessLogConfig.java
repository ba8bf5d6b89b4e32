package io.cellrouter.router.config;

/** {@code accessLog}: one access-log line per request, asynchronously; {@code queueSize} bounds what waits. */
public record AccessLogConfig(boolean enabled, int queueSize) {
    public AccessLogConfig {
        Check.that().range("queueSize", queueSize, 16, 1 << 22).done();
    }
}
