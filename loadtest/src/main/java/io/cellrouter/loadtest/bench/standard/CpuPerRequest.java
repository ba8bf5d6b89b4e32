package io.cellrouter.loadtest.bench.standard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A proxy's CPU per request over a run: the CPU its processes used (read by {@code ProcessCpu}) per
 * wall second, divided by the client's requests per second. Over the measured run only ({@code
 * measuredOnly}) where the client warms up in a run of its own (wrk), else over warm-up and
 * measured run together, which run at the same load.
 */
public record CpuPerRequest(double micros, boolean measuredOnly) {

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("us", Math.round(micros * 10) / 10.0);
        if (measuredOnly) {
            m.put("measured_only", true);
        }
        return m;
    }

    /** Reads a process's CPU and the wall clock at the start of a run, again after a warm-up, and at its end. */
    static final class Window {
        private final Supplier<OptionalLong> cpu;
        private final LongSupplier wall;
        private OptionalLong cpuStart;
        private long wallStart;
        private boolean measuredOnly;

        Window(Supplier<OptionalLong> cpu, LongSupplier wall) {
            this.cpu = cpu;
            this.wall = wall;
            start();
        }

        /** The client is warm: count from here. */
        void warmedUp() {
            start();
            measuredOnly = true;
        }

        private void start() {
            cpuStart = cpu.get();
            wallStart = wall.getAsLong();
        }

        /** At the run's end: null when the CPU cannot be read, or nothing was measured. */
        CpuPerRequest end(double requestsPerSecond) {
            OptionalLong cpuEnd = cpu.get();
            long wallNanos = wall.getAsLong() - wallStart;
            if (cpuStart.isEmpty() || cpuEnd.isEmpty() || wallNanos <= 0 || !(requestsPerSecond > 0)) {
                return null;
            }
            double cores = (double) (cpuEnd.getAsLong() - cpuStart.getAsLong()) / wallNanos;
            return new CpuPerRequest(cores * 1e6 / requestsPerSecond, measuredOnly);
        }
    }
}
