package io.cellrouter.loadtest.load;

/**
 * The requests that are due but have no free connection yet: a FIFO ring of (intended time,
 * customer) pairs in two primitive arrays, so queueing allocates nothing per request. It grows by
 * doubling up to {@code maxSize}; beyond that {@link #offer} refuses (the run then reports
 * {@code queue_full}, which only a server far slower than the requested rate can cause, since
 * queued requests also expire after the timeout).
 *
 * <p>Not thread-safe: owned by one {@link Dispatcher}'s event loop.
 */
final class PendingQueue {

    private final int maxSize;
    private long[] intended;
    private int[] customer;
    private int head;
    private int size;

    PendingQueue(int initialSize, int maxSize) {
        int capacity = Integer.highestOneBit(Math.max(16, initialSize - 1)) << 1;
        this.maxSize = maxSize;
        this.intended = new long[capacity];
        this.customer = new int[capacity];
    }

    boolean offer(long intendedNanos, int customerIndex) {
        if (size == intended.length) {
            if (size >= maxSize) {
                return false;
            }
            grow();
        }
        int tail = (head + size) & (intended.length - 1);
        intended[tail] = intendedNanos;
        customer[tail] = customerIndex;
        size++;
        return true;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The intended time of the oldest entry; only when not empty. */
    long peekIntended() {
        return intended[head];
    }

    /** The customer of the oldest entry; only when not empty. */
    int peekCustomer() {
        return customer[head];
    }

    void pop() {
        head = (head + 1) & (intended.length - 1);
        size--;
    }

    private void grow() {
        int capacity = intended.length << 1;
        long[] newIntended = new long[capacity];
        int[] newCustomer = new int[capacity];
        for (int i = 0; i < size; i++) {
            int from = (head + i) & (intended.length - 1);
            newIntended[i] = intended[from];
            newCustomer[i] = customer[from];
        }
        intended = newIntended;
        customer = newCustomer;
        head = 0;
    }
}
