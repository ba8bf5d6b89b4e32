package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PendingQueueTest {

    @Test
    void offerAndPop_fifoAcrossGrowthAndWrapAround() {
        PendingQueue q = new PendingQueue(16, 1 << 10);
        for (int i = 0; i < 10; i++) {
            q.offer(i, i);
        }
        for (int i = 0; i < 8; i++) {
            q.pop();
        }
        for (int i = 10; i < 100; i++) {
            assertThat(q.offer(i, i)).isTrue();
        }
        for (int i = 8; i < 100; i++) {
            assertThat(q.peekIntended()).isEqualTo(i);
            assertThat(q.peekCustomer()).isEqualTo(i);
            q.pop();
        }
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void full_refuses() {
        PendingQueue q = new PendingQueue(16, 32);
        for (int i = 0; i < 32; i++) {
            assertThat(q.offer(i, i)).isTrue();
        }
        assertThat(q.offer(99, 99)).isFalse();
        assertThat(q.size()).isEqualTo(32);
    }
}
