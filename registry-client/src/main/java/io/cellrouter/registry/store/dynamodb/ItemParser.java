package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.store.InvalidRegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Turns items into the model ({@link Items}) one by one, so that one item that does not read
 * (written by hand, by a tool, or by a release with another layout) costs only itself.
 *
 * <p>A whole read (the cells, the overrides, the shadows, the preload's placements, a listing page)
 * skips such an item: it logs a warning naming the table, the item's key and what is wrong (never the
 * whole item), counts it ({@link #skipped()}), and returns the others. Failing the read instead would
 * fail it on every poll, for ever: no router would follow any change, and no new router could load.
 * A read of one item ({@link #one}) fails as invalid, naming the key: that customer's read fails, as
 * it must, and the failure is an answer, not an unavailable store.
 *
 * <p>Thread-safe: a counter, no other state.
 */
final class ItemParser {

    private static final Logger log = LoggerFactory.getLogger(ItemParser.class);

    private final String table;
    private final AtomicLong skipped = new AtomicLong();

    ItemParser(String table) {
        this.table = table;
    }

    /** Items that whole reads skipped because they do not read. */
    long skipped() {
        return skipped.get();
    }

    /** The items that read, in order; the others are skipped (class comment). */
    <T> List<T> all(
            List<Map<String, AttributeValue>> items, String kind, Function<Map<String, AttributeValue>, T> parse) {
        List<T> parsed = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            addTo(parsed, item, kind, parse);
        }
        return parsed;
    }

    /** Adds the item to {@code into} if it reads; returns whether it did. */
    <T> boolean addTo(
            List<T> into,
            Map<String, AttributeValue> item,
            String kind,
            Function<Map<String, AttributeValue>, T> parse) {
        T value;
        try {
            value = parse.apply(item);
        } catch (RuntimeException e) {
            passOver(item, kind, e, "skipped it; fix or delete the item");
            return false;
        }
        into.add(value);
        return true;
    }

    /**
     * Counts and names an item that does not read and that the caller passes over in its own way
     * ({@code consequence} says which, for the operator reading the warning).
     */
    void passOver(Map<String, AttributeValue> item, String kind, RuntimeException e, String consequence) {
        skipped.incrementAndGet();
        log.warn("DynamoDB table '{}': a {} item does not read ({}); {}", table, kind, problem(item, e), consequence);
    }

    /** One item, or {@link InvalidRegistryException} naming its key and what is wrong. */
    <T> T one(Map<String, AttributeValue> item, String kind, Function<Map<String, AttributeValue>, T> parse) {
        try {
            return parse.apply(item);
        } catch (InvalidRegistryException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidRegistryException(
                    "DynamoDB table '" + table + "': the " + kind + " " + problem(item, e), e);
        }
    }

    private static String problem(Map<String, AttributeValue> item, RuntimeException e) {
        if (e instanceof InvalidRegistryException) {
            return e.getMessage(); // names the item already
        }
        return "item " + Items.describeKey(item) + ": " + e;
    }
}
