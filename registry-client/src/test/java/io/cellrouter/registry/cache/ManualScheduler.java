package io.cellrouter.registry.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose delayed tasks ({@code schedule(Runnable, delay, unit)}) run only when a test
 * moves its time past them ({@link #advance}), on the test's thread. Other submissions run as a
 * {@link ScheduledThreadPoolExecutor} runs them.
 */
final class ManualScheduler extends ScheduledThreadPoolExecutor {

    private final List<Task> tasks = new ArrayList<>();
    private long now;

    ManualScheduler() {
        super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        synchronized (tasks) {
            Task task = new Task(command, now + unit.toNanos(delay));
            tasks.add(task);
            return task;
        }
    }

    /** Not kept by hand: a caller using it would wait real time, so a test says so at once. */
    @Override
    public <V> ScheduledFuture<V> schedule(java.util.concurrent.Callable<V> callable, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("ManualScheduler keeps schedule(Runnable, ...) only");
    }

    /** Moves time on by {@code duration} and runs the tasks that fell due, in order of their time. */
    void advance(Duration duration) {
        List<Task> due = new ArrayList<>();
        synchronized (tasks) {
            now += duration.toNanos();
            tasks.removeIf(task -> {
                if (task.at - now <= 0) {
                    due.add(task);
                    return true;
                }
                return false;
            });
        }
        due.sort((a, b) -> Long.compare(a.at, b.at));
        due.forEach(Task::run);
    }

    private final class Task extends FutureTask<Void> implements ScheduledFuture<Void> {
        private final long at;

        Task(Runnable command, long at) {
            super(command, null);
            this.at = at;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            synchronized (tasks) {
                return unit.convert(at - now, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
