package io.cellrouter.router.forward;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Other spellings of a header name, as the server behind the router may read them. CGI, WSGI,
 * Rack and PHP hand a field to the application as {@code HTTP_} and its name in upper case with
 * {@code '-'} as {@code '_'}: {@code x_customer_id} and {@code x-customer-id} become the one
 * {@code HTTP_X_CUSTOMER_ID}, and which value the application reads is the server's choice (Puma
 * CVE-2024-45614, gunicorn). So a field the router removes or replaces because it is the router's
 * to decide is removed in every such spelling: a name that reads as it once case is ignored and
 * {@code '_'} is read as {@code '-'}, but is not it.
 *
 * <p>Nothing here allocates unless a spelling is found; callers look only when a name has a
 * {@code '_'} ({@link #hasUnderscore}), which the common request has in none.
 */
final class FieldSpellings {

    private FieldSpellings() {}

    /** Whether {@code name} has a {@code '_'}. */
    static boolean hasUnderscore(CharSequence name) {
        return AsciiString.indexOf(name, '_', 0) >= 0;
    }

    /** Whether any of {@code fields} has a {@code '_'}: then its {@code '-'} spelling is another one. */
    static boolean anyUnderscore(List<AsciiString> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).indexOf('_', 0) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} is another spelling of {@code field}: not it, but read as it. */
    static boolean spells(CharSequence name, AsciiString field) {
        return name.length() == field.length() && readsAs(name, field) && !field.contentEqualsIgnoreCase(name);
    }

    /** Whether {@code name} starts with another spelling of {@code prefix} (which has no {@code '_'}). */
    static boolean spellsPrefix(CharSequence name, String prefix) {
        return name.length() >= prefix.length()
                && readsAs(name, prefix)
                && !AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length());
    }

    /** Whether the start of {@code name} reads as {@code field}: ASCII case ignored, '_' as '-'. */
    private static boolean readsAs(CharSequence name, CharSequence field) {
        for (int i = 0; i < field.length(); i++) {
            if (fold(name.charAt(i)) != fold(field.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static char fold(char c) {
        if (c == '_') {
            return '-';
        }
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /**
     * Removes with {@code remove} the names among {@code fields} that spell, not being them, one of
     * {@code named}, one of {@code identityFields} or a name starting with one of {@code prefixes}.
     */
    static void remove(
            Iterator<? extends Map.Entry<? extends CharSequence, ?>> fields,
            Consumer<CharSequence> remove,
            AsciiString[] named,
            List<AsciiString> identityFields,
            String[] prefixes) {
        List<CharSequence> spelled = find(fields, named, identityFields, prefixes);
        if (spelled != null) {
            spelled.forEach(remove);
        }
    }

    /**
     * The names among {@code fields} that spell, not being them, one of {@code named}, one of
     * {@code identityFields} or a name starting with one of {@code prefixes}; null if none.
     */
    static List<CharSequence> find(
            Iterator<? extends Map.Entry<? extends CharSequence, ?>> fields,
            AsciiString[] named,
            List<AsciiString> identityFields,
            String[] prefixes) {
        List<CharSequence> found = null;
        while (fields.hasNext()) {
            CharSequence name = fields.next().getKey();
            if (spellsAny(name, named, identityFields, prefixes)) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                found.add(name);
            }
        }
        return found;
    }

    private static boolean spellsAny(
            CharSequence name, AsciiString[] named, List<AsciiString> identityFields, String[] prefixes) {
        for (AsciiString field : named) {
            if (spells(name, field)) {
                return true;
            }
        }
        for (int i = 0; i < identityFields.size(); i++) {
            if (spells(name, identityFields.get(i))) {
                return true;
            }
        }
        for (String prefix : prefixes) {
            if (spellsPrefix(name, prefix)) {
                return true;
            }
        }
        return false;
    }
}
