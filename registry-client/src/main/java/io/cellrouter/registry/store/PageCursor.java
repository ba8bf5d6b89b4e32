package io.cellrouter.registry.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The opaque cursor of a listing: a kind (which way the store reads: {@link #AFTER_CUSTOMER} for a
 * listing in customer order, other kinds for a store's own positions) and its parts, as URL-safe
 * base64 text. Parts are names or table keys, which never hold a line break.
 */
public record PageCursor(String kind, List<String> parts) {

    /** "The customers after this one", in customer-id order: one part, the last customer returned. */
    public static final String AFTER_CUSTOMER = "k";

    private static final String VERSION = "c1";

    public PageCursor {
        parts = List.copyOf(parts);
    }

    public static String encode(String kind, String... parts) {
        String text = VERSION + "\n" + kind + "\n" + String.join("\n", parts);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    public static String afterCustomer(String customer) {
        return encode(AFTER_CUSTOMER, customer);
    }

    /** Reads a cursor; a cursor that no store issued is {@link InvalidRegistryException}. */
    public static PageCursor decode(String cursor) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < 3 || !lines[0].equals(VERSION) || lines[1].isEmpty()) {
            throw invalid();
        }
        return new PageCursor(lines[1], Arrays.asList(lines).subList(2, lines.length));
    }

    /** The one part of a cursor of {@code kind}, or {@link InvalidRegistryException}. */
    public String single(String expectedKind) {
        if (!kind.equals(expectedKind) || parts.size() != 1 || parts.get(0).isEmpty()) {
            throw invalid();
        }
        return parts.get(0);
    }

    public static InvalidRegistryException invalid() {
        return new InvalidRegistryException("cursor is not one this listing issued; start again without it");
    }
}
