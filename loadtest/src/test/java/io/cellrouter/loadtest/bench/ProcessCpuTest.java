package io.cellrouter.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** CPU time read from real processes' schedstat: this JVM's own, and a busy child's under its parent. */
class ProcessCpuTest {

    @Test
    void thisJvm_countsTheWorkItDoes() {
        long before = ProcessCpu.nanos(ProcessHandle.current()).orElseThrow();
        long spins = 0;
        long until = System.nanoTime() + Duration.ofMillis(200).toNanos();
        while (System.nanoTime() < until) {
            spins++;
        }

        long after = ProcessCpu.nanos(ProcessHandle.current()).orElseThrow();

        assertThat(spins).isPositive();
        assertThat(after - before)
                .as("200 ms spinning on one thread")
                .isGreaterThan(Duration.ofMillis(100).toNanos());
    }

    /** Where Linux has schedstat, the bench's Duration is the schedstat figure. */
    @Test
    void asADuration_onLinux_isTheSchedstatFigure() {
        long before = ProcessCpu.nanos(ProcessHandle.current()).orElseThrow();

        Duration cpu = ProcessCpu.of(ProcessHandle.current());

        assertThat(cpu.toNanos()).isGreaterThanOrEqualTo(before);
        assertThat(cpu.toNanos())
                .isLessThanOrEqualTo(ProcessCpu.nanos(ProcessHandle.current()).orElseThrow());
    }

    /** nginx's workers are its master's children: the CPU of a process includes its descendants'. */
    @Test
    void aBusyChild_isCountedUnderItsIdleParent() throws Exception {
        Process parent = new ProcessBuilder(List.of("bash", "-c", "while :; do :; done & wait")).start();
        try {
            ProcessHandle handle = parent.toHandle();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> handle.children().findAny().isPresent());
            long start = ProcessCpu.nanos(handle).orElseThrow();

            // The parent only waits: 200 ms more can come from its child alone.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessCpu.nanos(handle).orElseThrow() - start
                            > Duration.ofMillis(200).toNanos());
        } finally {
            parent.descendants().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly().waitFor();
        }
    }

    @Test
    void anEndedProcess_hasNoThreadsToRead() throws Exception {
        Process done = new ProcessBuilder(List.of("true")).start();
        done.waitFor();

        assertThat(ProcessCpu.nanos(done.toHandle())).isEqualTo(OptionalLong.empty());
    }
}
