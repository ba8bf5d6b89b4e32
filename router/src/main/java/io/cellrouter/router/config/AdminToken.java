package io.cellrouter.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * One entry of {@code admin.tokens}: a bearer token (at least 16 characters) and its role. A
 * viewer may only read (GET); an operator may also write. The token is never shown.
 *
 * <p>Line breaks at the end of a token are dropped ({@link #fromSecret}): a token read from a file
 * (a Kubernetes Secret made from {@code openssl rand -hex 32 > token.txt}) ends with one, and a
 * caller sending the token could never match it. Any other space or control character is refused.
 */
public record AdminToken(String token, Role role) {

    public enum Role {
        @JsonProperty("operator")
        OPERATOR,
        @JsonProperty("viewer")
        VIEWER;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AdminToken {
        token = fromSecret(token);
        Check.that()
                .required("token", token)
                .secret(token == null || token.length() >= 16, "token", "must be at least 16 characters")
                .secret(isWellFormed(token), "token", WELL_FORMED)
                .required("role", role)
                .done();
    }

    /** The problem of a token with a space or control character in it. */
    static final String WELL_FORMED = "must be printable ASCII without spaces or line breaks";

    /** {@code secret} without the line breaks at its end (a file's last newline); null stays null. */
    public static String fromSecret(String secret) {
        if (secret == null) {
            return null;
        }
        int end = secret.length();
        while (end > 0 && (secret.charAt(end - 1) == '\n' || secret.charAt(end - 1) == '\r')) {
            end--;
        }
        return secret.substring(0, end);
    }

    /** Whether {@code token} (null counts) is printable ASCII: what a bearer token can carry. */
    public static boolean isWellFormed(String token) {
        return token == null || token.chars().allMatch(c -> c > ' ' && c < 0x7f);
    }

    @Override
    public String toString() {
        return "AdminToken[role=" + (role == null ? null : role.wireName()) + ", token=<redacted>]";
    }
}
