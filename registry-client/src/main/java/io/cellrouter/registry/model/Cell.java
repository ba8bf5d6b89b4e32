package io.cellrouter.registry.model;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One cell: a complete, isolated copy of the service, reached at {@code endpoint}.
 *
 * <p>{@code region}, {@code tier} and {@code labels} are optional metadata carried through every
 * store; {@code version} counts the writes of this cell (0 for a cell that was never stored).
 */
public record Cell(
        String name,
        URI endpoint,
        CellState state,
        String region,
        String tier,
        Map<String, String> labels,
        long version) {

    /** The tiers a cell may have; {@code tier} is one of them or absent. */
    public static final List<String> TIERS = List.of("prod", "preprod", "dev", "single-tenant");

    /** Cell and customer names: what is safe in a URL path, a metric tag and a log line. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * The same test as {@link #NAME}, without a regex: it runs for every request (customer ids)
     * and allocates nothing.
     */
    public static boolean isValidName(String name) {
        int length = name.length();
        if (length == 0 || length > 128 || !isAlnum(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = name.charAt(i);
            if (!isAlnum(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public Cell {
        requireNonNull(name, "name");
        requireNonNull(endpoint, "endpoint");
        requireNonNull(state, "state");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cell name must match " + NAME + ", was '" + name + "'");
        }
        validateEndpoint(endpoint);
    }

    /**
     * Why {@code tier} cannot be a cell's tier ("must be one of prod, preprod, dev, single-tenant"),
     * or null when it can (null, no tier, can). {@code registry import} and the admin API refuse such a tier; the
     * record itself takes any, so that what a store already holds still loads.
     */
    public static String tierProblem(String tier) {
        return tier == null || TIERS.contains(tier) ? null : "must be one of " + String.join(", ", TIERS);
    }

    /**
     * Why {@code value} cannot be a name ("must match ..."), or null when it can: the registry
     * parser's rule for cell and customer names, a region and a tier.
     */
    public static String nameProblem(String value) {
        return NAME.matcher(value).matches() ? null : "must match " + NAME.pattern();
    }

    /** Why {@code label} cannot be a label's name (a blank one), or null when it can. */
    public static String labelNameProblem(String label) {
        return label.isBlank() ? "has an empty label name" : null;
    }

    /**
     * The first reason the registry parser would refuse a cell with this {@code region}, {@code tier}
     * (either may be null) and {@code labels}, naming the field ("region: name must match ..."), or
     * null. The parser and the admin API both check with it, so that the admin API never writes a
     * cell that a registry file cannot hold (README: Admin API and migrations).
     */
    public static String metadataProblem(String region, String tier, Map<String, String> labels) {
        String problem = region == null ? null : nameProblem(region);
        if (problem != null) {
            return "region: name " + problem;
        }
        problem = tier == null ? null : nameProblem(tier);
        if (problem != null) {
            return "tier: name " + problem;
        }
        for (String label : labels == null ? List.<String>of() : labels.keySet()) {
            problem = labelNameProblem(label);
            if (problem != null) {
                return "labels: " + problem;
            }
        }
        return null;
    }

    public Cell(String name, URI endpoint, CellState state) {
        this(name, endpoint, state, null, null, Map.of(), 0);
    }

    public Cell withState(CellState newState) {
        return new Cell(name, endpoint, newState, region, tier, labels, version);
    }

    public Cell withVersion(long newVersion) {
        return new Cell(name, endpoint, state, region, tier, labels, newVersion);
    }

    /** The port of the endpoint, with the scheme's default when the URL has none. */
    public int port() {
        if (endpoint.getPort() > 0) {
            return endpoint.getPort();
        }
        return "https".equals(scheme()) ? 443 : 80;
    }

    public String scheme() {
        return endpoint.getScheme().toLowerCase(Locale.ROOT);
    }

    static void validateEndpoint(URI endpoint) {
        String problem = Endpoints.problem(endpoint, Endpoints.CELL);
        if (problem != null) {
            throw new IllegalArgumentException("cell endpoint " + problem + ", was '" + endpoint + "'");
        }
        if (endpoint.getPort() != -1 && (endpoint.getPort() < 1 || endpoint.getPort() > 65535)) {
            throw new IllegalArgumentException("cell endpoint port must be 1-65535, was '" + endpoint + "'");
        }
        String path = endpoint.getRawPath();
        if ((path != null && !path.isEmpty() && !"/".equals(path))
                || endpoint.getRawQuery() != null
                || endpoint.getRawFragment() != null
                || endpoint.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "cell endpoint must be scheme://host:port only (no path, query or user), was '" + endpoint + "'");
        }
    }
}
