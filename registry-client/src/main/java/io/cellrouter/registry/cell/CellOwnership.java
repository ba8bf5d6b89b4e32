package io.cellrouter.registry.cell;

import io.cellrouter.registry.model.Cell;
import java.util.Objects;
import java.util.function.Function;

/**
 * For a cell: whether a request for a customer is this cell's to serve, decided from the cell's own
 * view of the customer's placement, and if not, the answer that makes the router correct its route
 * ({@code 421 Misdirected Request}, with {@code x-cell-router-owner} naming the owner when the cell
 * knows it). Only the JDK: a cell adds this class, not the registry client's dependencies.
 *
 * <pre>
 * CellOwnership ownership = new CellOwnership("cell-2", customer -> myPlacements.get(customer));
 * CellOwnership.Decision d = ownership.decide(customerId);
 * if (!d.serve()) {
 *     respond(d.status(), d.ownerHeader(), d.body());   // 421, "cell-1" or null, small JSON
 *     return;
 * }
 * </pre>
 *
 * <p>The router never routes by the owner header alone: it drops its cached placement, reads the
 * registry once and follows only what the registry says. So a cell may name the owner it believes in
 * without being able to send traffic anywhere, and a wrong name costs nothing but a log line.
 *
 * <p>Rules: placed on this cell: serve. Placed on another cell: 421 naming it. Not known to this
 * cell's view: 421 without a name, unless the cell was built to serve unknown customers (a cell that
 * takes new customers, for one). A cell never names itself.
 *
 * <p>Thread-safe if {@code placementOf} is; {@link #decide} allocates nothing on the serve path.
 */
public final class CellOwnership {

    /** The status of "this customer is not mine" (RFC 9110 section 15.5.20). */
    public static final int MISDIRECTED = 421;

    /** The response header naming the cell that the answering cell believes owns the customer. */
    public static final String OWNER_HEADER = "x-cell-router-owner";

    /** The request header the router sets on shadow requests: a copy whose answer is thrown away. */
    public static final String SHADOW_HEADER = "x-cell-router-shadow";

    private static final Decision SERVE = new Decision(true, 200, null);
    private static final Decision NOT_MINE = new Decision(false, MISDIRECTED, null);

    private final String self;
    private final Function<String, String> placementOf;
    private final boolean serveUnknown;

    /**
     * {@code self}: this cell's name in the registry; {@code placementOf}: the cell this cell
     * believes the customer is placed on, or null when it does not know the customer. Unknown
     * customers are answered 421.
     */
    public CellOwnership(String self, Function<String, String> placementOf) {
        this(self, placementOf, false);
    }

    /** As {@link #CellOwnership(String, Function)}; {@code serveUnknown}: serve customers the view does not know. */
    public CellOwnership(String self, Function<String, String> placementOf, boolean serveUnknown) {
        if (!Cell.isValidName(Objects.requireNonNull(self, "self"))) {
            throw new IllegalArgumentException("cell name must be 1-128 letters, digits, '.', '_' or '-'"
                    + " starting with a letter or digit, was '" + self + "'");
        }
        this.self = self;
        this.placementOf = Objects.requireNonNull(placementOf, "placementOf");
        this.serveUnknown = serveUnknown;
    }

    /** This cell's name. */
    public String self() {
        return self;
    }

    /** What to do with a request for {@code customer}. */
    public Decision decide(String customer) {
        return decide(customer, placementOf.apply(customer));
    }

    /** What to do with a request for {@code customer} that this cell's view places on {@code placedCell} (null: unknown). */
    public Decision decide(String customer, String placedCell) {
        if (self.equals(placedCell)) {
            return SERVE;
        }
        if (placedCell == null) {
            return serveUnknown ? SERVE : NOT_MINE;
        }
        // Never a name that could break the header (or smuggle another one): the router ignores it anyway.
        return Cell.isValidName(placedCell) ? new Decision(false, MISDIRECTED, placedCell) : NOT_MINE;
    }

    /** Whether a request is the router's shadow copy (its answer is discarded: skip side effects, e.g. billing). */
    public static boolean isShadow(String shadowHeaderValue) {
        return "1".equals(shadowHeaderValue);
    }

    /**
     * What to answer: serve, or {@link #status()} 421 with {@link #ownerHeader()} (null: send no
     * owner header) and {@link #body()}.
     */
    public record Decision(boolean serve, int status, String ownerHeader) {

        /** A small JSON body for the 421: {@code {"error":"misdirected","owner":...}}. */
        public String body() {
            if (serve) {
                return "";
            }
            return ownerHeader == null
                    ? "{\"error\":\"misdirected\",\"message\":\"this customer is not served by this cell\"}"
                    : "{\"error\":\"misdirected\",\"message\":\"this customer is served by another cell\","
                            + "\"owner\":\"" + ownerHeader + "\"}";
        }
    }
}
