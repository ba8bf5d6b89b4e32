package io.cellrouter.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * One entry of {@code admin.tokens}: a bearer token (at least 16 characters) and its role. A
 * viewer may only read (GET); an operator may also write. The token is never shown.
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
        Check.that()
                .required("token", token)
                .secret(token == null || token.length() >= 16, "token", "must be at least 16 characters")
                .required("role", role)
                .done();
    }

    @Override
    public String toString() {
        return "AdminToken[role=" + (role == null ? null : role.wireName()) + ", token=<redacted>]";
    }
}
