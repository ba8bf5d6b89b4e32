package io.cellrouter.loadtest.cell;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a stand-in cell was asked, for checks of what reached which cell (the shadow-traffic load in
 * {@code scripts/shadow-load.sh}): HTTP/1.1 requests counted by customer ({@code x-customer-id}),
 * method and whether the router marked them as shadow copies ({@code x-cell-router-shadow: 1}).
 * Off unless {@code cell --count} asks for it: a benchmark cell does not pay for it. With it, {@code
 * GET /.tally} sent to the cell itself answers the counts so far (and is not counted).
 *
 * <p>Concurrency: counted from every event loop of the cell; {@link #lines()} reads a moment's
 * sums.
 */
public final class RequestTally {

    /** The path on which a counting cell answers its counts. */
    public static final String PATH = "/.tally";

    static final String CUSTOMER_HEADER = "x-customer-id";
    static final String SHADOW_HEADER = "x-cell-router-shadow";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** One request of {@code customer} (null: none named) with {@code method}; a shadow copy or not. */
    void count(String customer, String method, boolean shadow) {
        String key = (customer == null ? "-" : customer) + " " + method + " " + (shadow ? "shadow" : "primary");
        LongAdder adder = counts.get(key);
        if (adder == null) {
            adder = counts.computeIfAbsent(key, k -> new LongAdder());
        }
        adder.increment();
    }

    /** One line per kind of request, sorted: {@code count CUSTOMER METHOD primary|shadow N}. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        counts.forEach((key, adder) -> lines.add("count " + key + " " + adder.sum()));
        lines.sort(null);
        return lines;
    }

    /** The counts as a complete HTTP/1.1 keep-alive response (text/plain, one line each). */
    ByteBuf http1Response(ByteBufAllocator alloc) {
        StringBuilder body = new StringBuilder();
        lines().forEach(line -> body.append(line).append('\n'));
        String response =
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + body.length() + "\r\n\r\n" + body;
        return ByteBufUtil.writeAscii(alloc, response);
    }
}
