package io.cellrouter.router.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Who made an admin request, as the audit log and the idempotency keys name them: a label derived
 * from the bearer token (the first 12 hex digits of its SHA-256), never the token itself. Rotating
 * the token changes the label, so the log also tells which token a change came through.
 */
final class Actor {

    /** A loopback listener without a token (ConfigLoader allows nothing else without one). */
    static final String LOOPBACK = "loopback-no-token";

    private Actor() {}

    static String of(String token) {
        if (token == null) {
            return LOOPBACK;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return "token:sha256:" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }
}
