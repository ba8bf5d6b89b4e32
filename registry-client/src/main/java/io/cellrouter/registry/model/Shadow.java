package io.cellrouter.registry.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Shadow traffic for one customer until {@code expiresAt}: a {@code fraction} of its requests whose
 * method is in {@code methods} is also sent to {@code toCell}, whose answer is compared with the
 * primary's and thrown away. A shadow changes nothing of where the customer is routed; it is how an
 * operator checks a target cell before a move (README "Migration runbook").
 *
 * <p>Methods are upper-case HTTP method names, each once, in the order given; none given means
 * {@link #DEFAULT_METHODS}. A customer has at most one shadow, like one override.
 */
public record Shadow(
        String customer, String toCell, double fraction, List<String> methods, Instant expiresAt, String reason) {

    /** Safe methods only: a shadow of a write would write twice. */
    public static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD");

    public Shadow {
        requireNonNull(customer, "customer");
        requireNonNull(toCell, "toCell");
        requireNonNull(expiresAt, "expiresAt");
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(
                    "shadow of '" + customer + "': fraction must be above 0 and at most 1, was " + fraction);
        }
        methods = normalise(customer, methods);
    }

    /** True until {@code expiresAt}; an expired shadow is ignored everywhere. */
    public boolean isActiveAt(Instant now) {
        return now.isBefore(expiresAt);
    }

    /** Whether requests of {@code method} are shadowed (compared without regard to case). */
    public boolean covers(String method) {
        for (int i = 0; i < methods.size(); i++) {
            if (methods.get(i).equalsIgnoreCase(method)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> normalise(String customer, List<String> methods) {
        if (methods == null || methods.isEmpty()) {
            return DEFAULT_METHODS;
        }
        List<String> out = new ArrayList<>(methods.size());
        for (String method : methods) {
            if (method == null || !isToken(method)) {
                throw new IllegalArgumentException(
                        "shadow of '" + customer + "': methods must be HTTP method names, was '" + method + "'");
            }
            String upper = method.toUpperCase(Locale.ROOT);
            if (!out.contains(upper)) {
                out.add(upper);
            }
        }
        return List.copyOf(out);
    }

    /** An HTTP method is a token of letters here (GET, POST, PROPFIND...), at most 32 of them. */
    private static boolean isToken(String method) {
        if (method.isEmpty() || method.length() > 32) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }
}
