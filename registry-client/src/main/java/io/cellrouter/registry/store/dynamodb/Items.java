package io.cellrouter.registry.store.dynamodb;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.Placement;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import io.cellrouter.registry.store.Change;
import io.cellrouter.registry.store.InvalidRegistryException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The table's key schema and the mapping of every item to and from the model. The layout is
 * described on the package; this class is the only place that knows attribute names.
 *
 * <pre>
 *  pk                      sk                     attributes
 *  CUSTOMER#&lt;id&gt;           PLACEMENT              cell, version, updatedAt
 *  CELL                    &lt;cell name&gt;            endpoint, state, region?, tier?, labels, version, updatedAt
 *  OVERRIDE                &lt;customer id&gt;          cell | freeze, expiresAt, reason?, updatedAt
 *  SHADOW                  &lt;customer id&gt;          toCell, fraction, methods, expiresAt, reason?, updatedAt
 *  FEED#&lt;bucket&gt;           &lt;sequence, 19 digits&gt;  type (changes | seal | pruned), changes, at
 *  FEED                    HEAD                   bucket (a hint: the newest feed bucket)
 *  AUDIT#&lt;yyyy-MM-dd&gt;      &lt;instant&gt;#&lt;id&gt;         entry (JSON), ttl (epoch seconds)
 * </pre>
 */
final class Items {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Items.class);

    static final String PK = "pk";
    static final String SK = "sk";

    static final String CUSTOMER_PREFIX = "CUSTOMER#";
    static final String PLACEMENT_SK = "PLACEMENT";
    static final String CELLS_PK = "CELL";
    static final String OVERRIDES_PK = "OVERRIDE";
    static final String SHADOWS_PK = "SHADOW";
    static final String FEED_PREFIX = "FEED#";
    static final String FEED_HEAD_PK = "FEED";
    static final String FEED_HEAD_SK = "HEAD";
    static final String AUDIT_PREFIX = "AUDIT#";

    // Attribute names. Every expression refers to them through #placeholders: several (state,
    // region, version...) are DynamoDB reserved words.
    static final String CELL = "cell";
    static final String VERSION = "version";
    static final String UPDATED_AT = "updatedAt";
    static final String ENDPOINT = "endpoint";
    static final String STATE = "state";
    static final String REGION = "region";
    static final String TIER = "tier";
    static final String LABELS = "labels";
    static final String FREEZE = "freeze";
    static final String EXPIRES_AT = "expiresAt";
    static final String REASON = "reason";
    /** A shadow's target: not {@code cell}, so that shadows never show in the index of placements by cell. */
    static final String TO_CELL = "toCell";

    static final String FRACTION = "fraction";
    static final String METHODS = "methods";
    static final String TYPE = "type";
    static final String CHANGES = "changes";
    static final String AT = "at";
    static final String BUCKET = "bucket";
    /** A placement write's own random id: tells a retried write that succeeded from a lost race. */
    static final String WRITE_ID = "writeId";
    /** An audit item's JSON entry, and its expiry for the table's TTL (epoch seconds). */
    static final String ENTRY = "entry";

    static final String TTL = "ttl";

    /** Feed entry types: a batch of changes, a bucket's closing slot, a pruned bucket's marker. */
    static final String TYPE_CHANGES = "changes";

    static final String TYPE_SEAL = "seal";
    static final String TYPE_PRUNED = "pruned";

    private Items() {}

    static Map<String, AttributeValue> key(String pk, String sk) {
        Map<String, AttributeValue> key = new HashMap<>(4);
        key.put(PK, s(pk));
        key.put(SK, s(sk));
        return key;
    }

    static Map<String, AttributeValue> placementKey(String customer) {
        return key(CUSTOMER_PREFIX + customer, PLACEMENT_SK);
    }

    static Map<String, AttributeValue> cellKey(String cell) {
        return key(CELLS_PK, cell);
    }

    static Map<String, AttributeValue> overrideKey(String customer) {
        return key(OVERRIDES_PK, customer);
    }

    static Map<String, AttributeValue> shadowKey(String customer) {
        return key(SHADOWS_PK, customer);
    }

    static Map<String, AttributeValue> feedKey(long bucket, long sequence) {
        return key(FEED_PREFIX + bucket, sequenceKey(sequence));
    }

    static Map<String, AttributeValue> feedHeadKey() {
        return key(FEED_HEAD_PK, FEED_HEAD_SK);
    }

    /** Sequences as fixed-width text, so that the string sort key orders them numerically. */
    static String sequenceKey(long sequence) {
        return String.format("%019d", sequence);
    }

    // ---- placements

    static Map<String, AttributeValue> placementItem(Placement placement) {
        Map<String, AttributeValue> item = placementKey(placement.customer());
        item.put(CELL, s(placement.cell()));
        item.put(VERSION, n(placement.version()));
        item.put(UPDATED_AT, s(placement.updatedAt().toString()));
        return item;
    }

    /**
     * A placement item. Its {@code updatedAt} is only shown to people, never used to route: an item
     * without one (written by hand or by a tool) reads as updated at the epoch, "unknown".
     */
    static Placement placement(Map<String, AttributeValue> item) {
        String pk = text(item, PK);
        if (!pk.startsWith(CUSTOMER_PREFIX)) {
            throw new InvalidRegistryException("item " + describeKey(item) + " is not a placement");
        }
        String updatedAt = optionalText(item, UPDATED_AT);
        return new Placement(
                pk.substring(CUSTOMER_PREFIX.length()),
                text(item, CELL),
                number(item, VERSION),
                updatedAt == null ? Instant.EPOCH : Instant.parse(updatedAt));
    }

    // ---- cells

    /**
     * A cell item. A region, tier or label name that a registry document could not hold (written
     * before the admin API checked them, or by another writer) is left out, with a warning: kept,
     * it would go into the last-known-good snapshot, which then would not read back when it is
     * needed (the store down at start). Routing does not depend on them.
     */
    static Cell cell(Map<String, AttributeValue> item) {
        String name = text(item, SK);
        Map<String, String> labels = new LinkedHashMap<>();
        AttributeValue labelsValue = item.get(LABELS);
        if (labelsValue != null && labelsValue.hasM()) {
            labelsValue.m().forEach((label, value) -> {
                if (Cell.labelNameProblem(label) == null) {
                    labels.put(label, value.s());
                } else {
                    leftOut(name, "label name '" + label + "'", Cell.labelNameProblem(label));
                }
            });
        }
        return new Cell(
                name,
                URI.create(text(item, ENDPOINT)),
                CellState.parse(text(item, STATE)),
                checkedName(name, "region", optionalText(item, REGION)),
                checkedName(name, "tier", optionalText(item, TIER)),
                labels,
                number(item, VERSION));
    }

    private static String checkedName(String cell, String field, String value) {
        if (value == null || Cell.nameProblem(value) == null) {
            return value;
        }
        leftOut(cell, field + " '" + value + "'", Cell.nameProblem(value));
        return null;
    }

    private static void leftOut(String cell, String what, String problem) {
        log.warn(
                "cell {}: its {} {} and is left out (a registry document could not hold it); correct it with"
                        + " PATCH /admin/v1/cells/{}",
                cell,
                what,
                problem,
                cell);
    }

    /** A whole cell item, as {@code putCell} leaves it (for loading a table without the feed). */
    static Map<String, AttributeValue> cellItem(Cell cell, Instant now) {
        Map<String, AttributeValue> item = cellKey(cell.name());
        item.put(ENDPOINT, s(cell.endpoint().toString()));
        item.put(STATE, s(cell.state().wireName()));
        if (cell.region() != null) {
            item.put(REGION, s(cell.region()));
        }
        if (cell.tier() != null) {
            item.put(TIER, s(cell.tier()));
        }
        item.put(LABELS, AttributeValue.fromM(labels(cell)));
        item.put(VERSION, n(cell.version()));
        item.put(UPDATED_AT, s(now.toString()));
        return item;
    }

    static Map<String, AttributeValue> labels(Cell cell) {
        Map<String, AttributeValue> labels = new HashMap<>();
        cell.labels().forEach((name, value) -> labels.put(name, s(value)));
        return labels;
    }

    // ---- overrides

    static Map<String, AttributeValue> overrideItem(RoutingOverride override, Instant now) {
        Map<String, AttributeValue> item = overrideKey(override.customer());
        if (override.freeze()) {
            item.put(FREEZE, AttributeValue.fromBool(true));
        } else {
            item.put(CELL, s(override.cell()));
        }
        item.put(EXPIRES_AT, s(override.expiresAt().toString()));
        if (override.reason() != null) {
            item.put(REASON, s(override.reason()));
        }
        item.put(UPDATED_AT, s(now.toString()));
        return item;
    }

    static RoutingOverride override(Map<String, AttributeValue> item) {
        AttributeValue freeze = item.get(FREEZE);
        return new RoutingOverride(
                text(item, SK),
                optionalText(item, CELL),
                freeze != null && Boolean.TRUE.equals(freeze.bool()),
                Instant.parse(text(item, EXPIRES_AT)),
                optionalText(item, REASON));
    }

    // ---- shadows

    static Map<String, AttributeValue> shadowItem(Shadow shadow, Instant now) {
        Map<String, AttributeValue> item = shadowKey(shadow.customer());
        item.put(TO_CELL, s(shadow.toCell()));
        item.put(
                FRACTION,
                AttributeValue.fromN(
                        java.math.BigDecimal.valueOf(shadow.fraction()).toPlainString()));
        item.put(
                METHODS,
                AttributeValue.fromL(shadow.methods().stream().map(Items::s).toList()));
        item.put(EXPIRES_AT, s(shadow.expiresAt().toString()));
        if (shadow.reason() != null) {
            item.put(REASON, s(shadow.reason()));
        }
        item.put(UPDATED_AT, s(now.toString()));
        return item;
    }

    static Shadow shadow(Map<String, AttributeValue> item) {
        AttributeValue fraction = item.get(FRACTION);
        AttributeValue methods = item.get(METHODS);
        if (fraction == null || fraction.n() == null) {
            throw new InvalidRegistryException(
                    "item " + describeKey(item) + " has no number attribute '" + FRACTION + "'");
        }
        return new Shadow(
                text(item, SK),
                text(item, TO_CELL),
                Double.parseDouble(fraction.n()),
                methods == null || !methods.hasL()
                        ? List.of()
                        : methods.l().stream().map(AttributeValue::s).toList(),
                Instant.parse(text(item, EXPIRES_AT)),
                optionalText(item, REASON));
    }

    // ---- the change feed

    /**
     * A shadow change is written as an override change of {@code <customer>#shadow}: a router of a
     * release that knows no shadows (a fleet being upgraded) reads it as an override change of a
     * customer that cannot exist ('#' is not in a name), reloads its overrides and goes on, instead of
     * failing on an unknown letter at every poll.
     */
    static final String SHADOW_SUFFIX = "#shadow";

    /** One change in a feed entry: {@code P:acme}, {@code O:acme}, {@code C:cell-1} (names hold no ':'). */
    static String encode(Change.Kind kind, String key) {
        char letter =
                switch (kind) {
                    case PLACEMENT -> 'P';
                    case OVERRIDE, SHADOW -> 'O';
                    case CELL -> 'C';
                };
        return letter + ":" + key + (kind == Change.Kind.SHADOW ? SHADOW_SUFFIX : "");
    }

    static Map<String, AttributeValue> feedEntry(long bucket, long sequence, List<String> changes, Instant at) {
        Map<String, AttributeValue> item = feedKey(bucket, sequence);
        item.put(TYPE, s(TYPE_CHANGES));
        List<AttributeValue> values = new ArrayList<>(changes.size());
        changes.forEach(change -> values.add(s(change)));
        item.put(CHANGES, AttributeValue.fromL(values));
        item.put(AT, s(at.toString()));
        return item;
    }

    static Map<String, AttributeValue> feedMarker(long bucket, long sequence, String type, Instant at) {
        Map<String, AttributeValue> item = feedKey(bucket, sequence);
        item.put(TYPE, s(type));
        item.put(AT, s(at.toString()));
        return item;
    }

    static long sequence(Map<String, AttributeValue> feedItem) {
        return Long.parseLong(text(feedItem, SK));
    }

    static String type(Map<String, AttributeValue> feedItem) {
        return text(feedItem, TYPE);
    }

    /** The changes of a feed entry of type {@code changes}, all with the entry's sequence. */
    static List<Change> changes(Map<String, AttributeValue> feedItem) {
        long sequence = sequence(feedItem);
        Instant at = Instant.parse(text(feedItem, AT));
        List<Change> changes = new ArrayList<>();
        for (AttributeValue value : feedItem.get(CHANGES).l()) {
            String encoded = value.s();
            Change.Kind kind =
                    switch (encoded.charAt(0)) {
                        case 'P' -> Change.Kind.PLACEMENT;
                        case 'O' -> Change.Kind.OVERRIDE;
                        case 'C' -> Change.Kind.CELL;
                        default ->
                            throw new InvalidRegistryException(
                                    "feed entry " + describeKey(feedItem) + " has an unknown change: " + encoded);
                    };
            String key = encoded.substring(2);
            if (kind == Change.Kind.OVERRIDE && key.endsWith(SHADOW_SUFFIX)) {
                kind = Change.Kind.SHADOW;
                key = key.substring(0, key.length() - SHADOW_SUFFIX.length());
            }
            changes.add(new Change(sequence, kind, key, at));
        }
        return changes;
    }

    // ---- attribute values

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.s() == null) {
            throw new InvalidRegistryException("item " + describeKey(item) + " has no text attribute '" + name + "'");
        }
        return value.s();
    }

    /** An item's key as {@code pk/sk}, for messages: never the whole item. */
    static String describeKey(Map<String, AttributeValue> item) {
        return optionalText(item, PK) + "/" + optionalText(item, SK);
    }

    static String optionalText(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.n() == null) {
            throw new InvalidRegistryException("item " + describeKey(item) + " has no number attribute '" + name + "'");
        }
        return Long.parseLong(value.n());
    }
}
