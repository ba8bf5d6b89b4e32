package io.cellrouter.registry.token;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What a verified cell token says.
 *
 * @param customer the customer id (the {@code sub} claim, or the configured customer claim)
 * @param cell the customer's cell as the token's issuer knew it (the {@code cell} claim), or null: a
 *     routing hint only, used when the registry has no placement or cannot be reached
 * @param endpoint the cell's direct endpoint for SDKs (the {@code ep} claim), or null
 * @param issuedAt {@code iat}, or null when the token has none
 * @param expiresAt {@code exp}: every accepted token has one
 * @param keyId the {@code kid} of the header, or null
 */
public record CellToken(
        String customer, String cell, String endpoint, Instant issuedAt, Instant expiresAt, String keyId) {

    public CellToken {
        requireNonNull(customer, "customer");
        requireNonNull(expiresAt, "expiresAt");
    }
}
