package io.cellrouter.loadtest.load;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * How a request says who its customer is: the customer id {@code c<i>} in a header
 * ({@code x-customer-id} by default), or a bearer token per customer in {@code authorization}.
 * Immutable and shared by all scheduler threads.
 */
public final class Identities {

    private final String headerName;
    private final String[] bearerValues;

    private Identities(String headerName, String[] bearerValues) {
        this.headerName = headerName.toLowerCase(Locale.ROOT);
        this.bearerValues = bearerValues;
    }

    /** The customer id {@code c<i>} in header {@code name}. */
    public static Identities header(String name) {
        if (name == null || !name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException("header name is not a valid HTTP token: '" + name + "'");
        }
        return new Identities(name, null);
    }

    /**
     * Tokens from a file: one per line, either {@code TOKEN} (line {@code i} is customer {@code ci})
     * or {@code CUSTOMER TOKEN} with customer ids {@code c<i>}. Every one of the {@code customers}
     * needs a token.
     */
    public static Identities bearerFile(Path file, int customers) throws IOException {
        String[] values = new String[customers];
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int lineNumber = 0;
        int next = 0;
        for (String raw : lines) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            int index;
            String token;
            if (fields.length == 1) {
                index = next++;
                token = fields[0];
            } else if (fields.length == 2 && fields[0].matches("c\\d+")) {
                index = Integer.parseInt(fields[0].substring(1));
                token = fields[1];
            } else {
                throw new IllegalArgumentException(
                        file + ":" + lineNumber + ": expected 'TOKEN' or 'c<N> TOKEN', got '" + abbreviate(line) + "'");
            }
            if (index < customers) {
                values[index] = "Bearer " + token;
            }
        }
        for (int i = 0; i < customers; i++) {
            if (values[i] == null) {
                throw new IllegalArgumentException(
                        file + ": no token for customer c" + i + " (need " + customers + ")");
            }
        }
        return new Identities("authorization", values);
    }

    /**
     * Mints one HS256 token per customer: claim {@code claim} (default {@code sub}) holds the
     * customer id, plus {@code iat} and {@code exp} ({@code ttl} from now).
     */
    public static Identities hmac(byte[] secret, String claim, Duration ttl, int customers) {
        List<String> values = new ArrayList<>(customers);
        try {
            MACSigner signer = new MACSigner(secret);
            Instant now = Instant.now();
            JWSHeader header = new JWSHeader(JWSAlgorithm.HS256);
            for (int i = 0; i < customers; i++) {
                JWTClaimsSet claims = new JWTClaimsSet.Builder()
                        .claim(claim, "c" + i)
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(ttl)))
                        .build();
                SignedJWT jwt = new SignedJWT(header, claims);
                jwt.sign(signer);
                values.add("Bearer " + jwt.serialize());
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot mint HS256 tokens: " + e.getMessage(), e);
        }
        return new Identities("authorization", values.toArray(String[]::new));
    }

    /** The header that carries the identity, lower case. */
    public String headerName() {
        return headerName;
    }

    /** The header's value for customer {@code index}. */
    public String value(int index) {
        return bearerValues == null ? customerId(index) : bearerValues[index];
    }

    public boolean isBearer() {
        return bearerValues != null;
    }

    public static String customerId(int index) {
        return "c" + index;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
