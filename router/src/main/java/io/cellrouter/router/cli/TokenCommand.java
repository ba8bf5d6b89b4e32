package io.cellrouter.router.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.cellrouter.registry.token.CellToken;
import io.cellrouter.registry.token.InvalidTokenException;
import io.cellrouter.registry.token.KeyFileException;
import io.cellrouter.registry.token.KeyFiles;
import io.cellrouter.registry.token.SigningKey;
import io.cellrouter.registry.token.TokenAlgorithm;
import io.cellrouter.registry.token.TokenMinter;
import io.cellrouter.registry.token.TokenVerifier;
import io.cellrouter.registry.token.VerifierConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code token}: mint, verify and make keys for cell tokens (README "Tokens"). The token goes to
 * stdout alone, so {@code TOKEN=$(cell-router token mint ...)} works; messages go to stderr.
 * Exit codes: 0 success, 2 bad arguments or an unusable key, 1 a token that does not verify.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Mint and inspect cell tokens.",
        subcommands = {TokenCommand.Mint.class, TokenCommand.Verify.class, TokenCommand.Keygen.class})
final class TokenCommand {

    static final String DEFAULT_SECRET_ENV = "CELL_ROUTER_JWT_SECRET";

    /** The HMAC secret from {@code --secret-env}, or null when the variable is unset or empty. */
    static byte[] secret(Function<String, String> env, String name) {
        String value = env.apply(name);
        return value == null || value.isEmpty() ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    static int usage(CommandSpec spec, String message) {
        spec.commandLine().getErr().println("cell-router token: " + message);
        return Main.EXIT_USAGE;
    }

    @Command(
            name = "mint",
            mixinStandardHelpOptions = true,
            description = {
                "Mint a cell token for a customer and print it.",
                "The key is --key FILE (PEM private key, private JWK or JWK Set), else the HMAC secret in"
                        + " the environment variable named by --secret-env (HS256)."
            })
    static final class Mint implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        private final Function<String, String> env;

        @Option(names = "--customer", required = true, description = "The customer id (the sub claim).")
        String customer;

        @Option(names = "--cell", required = true, description = "The customer's cell (the cell claim).")
        String cell;

        @Option(names = "--endpoint", description = "The cell's direct endpoint for SDKs (the ep claim).")
        String endpoint;

        @Option(names = "--key", description = "Signing key: PEM (PKCS#8 RSA, EC or Ed25519), private JWK or JWK Set.")
        Path key;

        @Option(
                names = "--secret-env",
                defaultValue = DEFAULT_SECRET_ENV,
                description = "Without --key: the environment variable with the HMAC secret. Default: ${DEFAULT-VALUE}")
        String secretEnv;

        @Option(
                names = "--ttl",
                defaultValue = "30d",
                converter = DurationConverter.class,
                description = "How long the token is valid (250ms, 5s, 10m, 1h, 30d). Default: ${DEFAULT-VALUE}")
        Duration ttl;

        @Option(names = "--kid", description = "The key id in the header (default: the JWK's kid; none for PEM).")
        String keyId;

        @Option(
                names = "--alg",
                description = "Algorithm (default: the key's; HS256, RS256, ES256/384/512 by curve, EdDSA).")
        String algorithm;

        @Option(names = "--issuer", description = "The iss claim.")
        String issuer;

        @Option(names = "--audience", description = "The aud claim.")
        String audience;

        Mint() {
            this(System::getenv);
        }

        Mint(Function<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            TokenAlgorithm alg = null;
            SigningKey signingKey;
            try {
                if (algorithm != null) {
                    alg = TokenAlgorithm.parse(algorithm);
                }
                if (key != null) {
                    signingKey = KeyFiles.signingKey(key, alg, keyId);
                } else {
                    byte[] secret = secret(env, secretEnv);
                    if (secret == null) {
                        return usage(spec, "no key: give --key FILE or set " + secretEnv + " to the HMAC secret");
                    }
                    signingKey = SigningKey.hmac(secret, alg, keyId);
                }
                String token = TokenMinter.builder(signingKey)
                        .issuer(issuer)
                        .audience(audience)
                        .build()
                        .mint(customer, cell, endpoint, ttl);
                spec.commandLine().getOut().println(token);
                spec.commandLine().getOut().flush();
                return Main.EXIT_OK;
            } catch (IllegalArgumentException | KeyFileException e) {
                return usage(spec, e.getMessage());
            }
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = {
                "Verify a token as the router would and print its claims.",
                "Exit 0 when it verifies, 1 when it does not (the reason on stderr), 2 on bad arguments."
            })
    static final class Verify implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        private final Function<String, String> env;

        @Parameters(index = "0", description = "The token.")
        String token;

        @Option(names = "--jwks", description = "Verification keys: JWK Set or PEM public keys.")
        Path jwks;

        @Option(
                names = "--secret-env",
                defaultValue = DEFAULT_SECRET_ENV,
                description = "The environment variable with the HMAC secret, if set. Default: ${DEFAULT-VALUE}")
        String secretEnv;

        @Option(names = "--issuer", description = "Require this iss.")
        String issuer;

        @Option(names = "--audience", description = "Require this aud.")
        String audience;

        @Option(
                names = "--max-lifetime",
                defaultValue = "90d",
                converter = DurationConverter.OrNone.class,
                description = "Longest accepted lifetime, or none. Default: ${DEFAULT-VALUE}")
        Duration maxLifetime;

        Verify() {
            this(System::getenv);
        }

        Verify(Function<String, String> env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            TokenVerifier verifier;
            try {
                VerifierConfig config = VerifierConfig.defaults()
                        .withIssuer(issuer)
                        .withAudience(audience)
                        .withMaxLifetime(maxLifetime);
                TokenVerifier.Builder builder =
                        TokenVerifier.builder().config(config).cacheSize(0);
                byte[] secret = secret(env, secretEnv);
                if (secret != null) {
                    builder.hmacSecret(secret);
                }
                if (jwks != null) {
                    builder.keyFile(jwks);
                }
                if (secret == null && jwks == null) {
                    return usage(spec, "no keys: give --jwks FILE or set " + secretEnv);
                }
                verifier = builder.build();
            } catch (IllegalArgumentException | KeyFileException e) {
                return usage(spec, e.getMessage());
            }
            try (verifier) {
                CellToken claims = verifier.verify(token.trim());
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("customer", claims.customer());
                out.put("cell", claims.cell());
                out.put("endpoint", claims.endpoint());
                out.put(
                        "issuedAt",
                        claims.issuedAt() == null ? null : claims.issuedAt().toString());
                out.put("expiresAt", claims.expiresAt().toString());
                out.put("kid", claims.keyId());
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.println(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(out));
                stdout.flush();
                return Main.EXIT_OK;
            } catch (InvalidTokenException e) {
                spec.commandLine().getErr().println("cell-router token: invalid token: " + e.getMessage());
                return Main.EXIT_RUNTIME;
            }
        }
    }

    @Command(
            name = "keygen",
            mixinStandardHelpOptions = true,
            description = {
                "Make a signing key pair: the private JWK goes to --out (mode 600), the public JWK Set to"
                        + " stdout (the router's jwksFile).",
                "For HS256, use a random secret of at least 32 bytes instead (openssl rand -base64 48)."
            })
    static final class Keygen implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(
                names = "--alg",
                defaultValue = "EdDSA",
                description = "ES256, ES384, ES512, RS256... or EdDSA. Default: ${DEFAULT-VALUE}")
        String algorithm;

        @Option(names = "--kid", description = "The key id (default: the key's RFC 7638 thumbprint).")
        String keyId;

        @Option(names = "--out", required = true, description = "Where to write the private JWK (must not exist).")
        Path out;

        @Override
        public Integer call() throws IOException {
            JWK key;
            try {
                TokenAlgorithm alg = TokenAlgorithm.parse(algorithm);
                key = generate(alg);
                String kid = keyId != null ? keyId : key.computeThumbprint().toString();
                key = JWK.parse(withKid(key, kid, alg));
            } catch (IllegalArgumentException e) {
                return usage(spec, e.getMessage());
            } catch (JOSEException | java.text.ParseException e) {
                spec.commandLine().getErr().println("cell-router token: key generation failed: " + e.getMessage());
                return Main.EXIT_RUNTIME;
            }
            try {
                write(out, key.toJSONString());
            } catch (FileAlreadyExistsException e) {
                return usage(spec, out + " already exists; not overwriting a key");
            }
            spec.commandLine().getOut().println(new JWKSet(key.toPublicJWK()).toString(true));
            spec.commandLine().getOut().flush();
            return Main.EXIT_OK;
        }

        private static JWK generate(TokenAlgorithm alg) throws JOSEException {
            return switch (alg) {
                case ES256 -> new ECKeyGenerator(Curve.P_256).generate();
                case ES384 -> new ECKeyGenerator(Curve.P_384).generate();
                case ES512 -> new ECKeyGenerator(Curve.P_521).generate();
                case RS256, RS384, RS512, PS256, PS384, PS512 -> new RSAKeyGenerator(3072).generate();
                case EdDSA, Ed25519 -> new OctetKeyPairGenerator(Curve.Ed25519).generate();
                default ->
                    throw new IllegalArgumentException(
                            alg + " is a shared-secret algorithm: use a random secret (openssl rand -base64 48)");
            };
        }

        private static Map<String, Object> withKid(JWK key, String kid, TokenAlgorithm alg) {
            Map<String, Object> json = new LinkedHashMap<>(key.toJSONObject());
            json.put("kid", kid);
            json.put("alg", alg.name());
            json.put("use", "sig");
            return json;
        }

        private static void write(Path file, String content) throws IOException {
            Path created;
            try {
                created = Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                created = Files.createFile(file);
            }
            Files.writeString(created, content + "\n");
        }
    }
}
