package io.cellrouter.router.identity;

import io.cellrouter.router.error.ErrorCode;
import io.cellrouter.router.error.RouterException;
import java.util.ArrayList;
import java.util.List;

/**
 * A request target made unambiguous before anything reads it: the path the path identity source
 * matches, the admin-path check sees and the cell receives is one and the same string.
 *
 * <p>Normalisation (RFC 3986 sections 6.2.2.2 and 5.2.4): percent-encoded unreserved characters
 * ({@code ALPHA DIGIT - . _ ~}) are decoded, other escapes are kept with upper-case hex digits, and
 * dot segments are removed. The absolute form ({@code http://host/path}) becomes the origin form.
 *
 * <p>Refused with 400, because two readers could disagree on what such a path names: an invalid
 * escape; an encoded {@code /}, {@code \} or NUL; a raw {@code \}, control character or {@code #};
 * a dot segment with parameters ({@code ..;x}, which some servers treat as {@code ..}); a dot
 * segment that would climb above the root; and an empty segment ({@code //}) together with a dot
 * segment (servers that merge slashes first would resolve it differently).
 *
 * <p>The common path (no {@code %}, no dot segment) allocates nothing beyond the split of the query.
 */
public final class RequestTarget {

    private final String path;
    private final String query;

    private RequestTarget(String path, String query) {
        this.path = path;
        this.query = query;
    }

    /** The normalised path, starting with {@code /} (or {@code *} for {@code OPTIONS *}). */
    public String path() {
        return path;
    }

    /** The query as the client sent it, without the {@code ?}; null when there is none. */
    public String query() {
        return query;
    }

    /** Origin form for the cell: the normalised path and the query unchanged. */
    public String originForm() {
        return query == null ? path : path + '?' + query;
    }

    /**
     * Whether the path names the admin API ({@code /admin} or below), compared without case and
     * with leading slashes merged, so that no spelling of it reaches a cell.
     */
    public boolean isAdminPath() {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        if (start == 0 || !path.regionMatches(true, start, "admin", 0, 5)) {
            return false;
        }
        int end = start + 5;
        return end == path.length() || path.charAt(end) == '/' || path.charAt(end) == ';';
    }

    /** Parses and normalises {@code uri}; throws {@link RouterException} 400 when it cannot. */
    public static RequestTarget parse(String uri) {
        if ("*".equals(uri)) {
            return new RequestTarget("*", null);
        }
        String target = originForm(uri);
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            throw refused("the request target must be a path starting with '/'");
        }
        if (query != null) {
            checkCharacters(query, "query");
        }
        return new RequestTarget(normalise(rawPath), query);
    }

    /** {@code http://host/path?q} (absolute form, RFC 9112 section 3.2.2) becomes {@code /path?q}. */
    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri;
        }
        int path = uri.indexOf('/', scheme + 3);
        int query = uri.indexOf('?', scheme + 3);
        if (path < 0 || (query >= 0 && query < path)) {
            return query < 0 ? "/" : "/" + uri.substring(query);
        }
        return uri.substring(path);
    }

    static String normalise(String rawPath) {
        checkCharacters(rawPath, "path");
        String path = rawPath.indexOf('%') < 0 ? rawPath : decodeUnreserved(rawPath);
        if (!hasDotSegment(path)) {
            return path;
        }
        if (path.contains("//")) {
            throw refused("a path with both an empty segment ('//') and a dot segment is ambiguous");
        }
        return removeDotSegments(path);
    }

    private static void checkCharacters(String part, String what) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#' || (c == '\\' && what.equals("path"))) {
                throw refused("the " + what + " contains a character that must be percent-encoded");
            }
        }
    }

    private static String decodeUnreserved(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                throw refused("the path has an incomplete percent-escape");
            }
            int hi = Character.digit(path.charAt(i + 1), 16);
            int lo = Character.digit(path.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw refused("the path has an invalid percent-escape");
            }
            char decoded = (char) (hi << 4 | lo);
            if (decoded == '/' || decoded == '\\' || decoded == 0) {
                throw refused("the path has an encoded '/', '\\' or NUL");
            }
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    /** RFC 3986 section 2.3: letters, digits, {@code -}, {@code .}, {@code _}, {@code ~}. */
    public static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }

    /** Whether a segment is {@code .} or {@code ..}, or starts with one followed by {@code ;}. */
    private static boolean hasDotSegment(String path) {
        int segment = 1;
        while (segment <= path.length()) {
            int end = path.indexOf('/', segment);
            if (end < 0) {
                end = path.length();
            }
            if (dotKind(path, segment, end) != 0) {
                return true;
            }
            segment = end + 1;
        }
        return false;
    }

    /** 1 for {@code .}, 2 for {@code ..}, -1 for a dot segment with parameters, 0 otherwise. */
    private static int dotKind(String path, int start, int end) {
        int length = end - start;
        if (length == 0 || path.charAt(start) != '.') {
            return 0;
        }
        if (length == 1) {
            return 1;
        }
        if (path.charAt(start + 1) == ';') {
            return -1;
        }
        if (path.charAt(start + 1) != '.') {
            return 0;
        }
        if (length == 2) {
            return 2;
        }
        return path.charAt(start + 2) == ';' ? -1 : 0;
    }

    private static String removeDotSegments(String path) {
        List<String> out = new ArrayList<>();
        int segment = 1;
        boolean trailingSlash = false;
        while (segment <= path.length()) {
            int end = path.indexOf('/', segment);
            boolean last = end < 0;
            if (last) {
                end = path.length();
            }
            switch (dotKind(path, segment, end)) {
                case -1 -> throw refused("a dot segment with parameters ('..;') is ambiguous");
                case 1 -> trailingSlash = last;
                case 2 -> {
                    if (out.isEmpty()) {
                        throw refused("the path climbs above the root");
                    }
                    out.remove(out.size() - 1);
                    trailingSlash = last;
                }
                default -> {
                    out.add(path.substring(segment, end));
                    trailingSlash = false;
                }
            }
            segment = end + 1;
        }
        StringBuilder normalised = new StringBuilder(path.length());
        for (String s : out) {
            normalised.append('/').append(s);
        }
        if (normalised.length() == 0 || trailingSlash) {
            normalised.append('/');
        }
        return normalised.toString();
    }

    private static RouterException refused(String why) {
        return new RouterException(ErrorCode.MALFORMED_REQUEST, "malformed request: " + why);
    }

    @Override
    public String toString() {
        return originForm();
    }
}
