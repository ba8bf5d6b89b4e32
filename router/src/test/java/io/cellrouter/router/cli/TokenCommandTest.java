package io.cellrouter.router.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cell-router token mint|verify|keygen}: output and exit codes of README: Operations, and the commands' --help. */
class TokenCommandTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef-cli-test";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static Map<String, String> env(String value) {
        return value == null ? Map.of() : Map.of(TokenCommand.DEFAULT_SECRET_ENV, value);
    }

    @Test
    void mint_withTheSecretFromTheEnvironment_printsAnHs256TokenThatVerifies() throws Exception {
        int code = run(
                new TokenCommand.Mint(env(SECRET)::get),
                "--customer",
                "acme",
                "--cell",
                "cell-2",
                "--ttl",
                "2h",
                "--endpoint",
                "https://cell-2.example");

        assertThat(code).isZero();
        String token = out.toString().trim();
        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("acme");
        assertThat(jwt.getJWTClaimsSet().getStringClaim("cell")).isEqualTo("cell-2");
        assertThat(Duration.between(
                        jwt.getJWTClaimsSet().getIssueTime().toInstant(),
                        jwt.getJWTClaimsSet().getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofHours(2));

        out.getBuffer().setLength(0);
        assertThat(run(new TokenCommand.Verify(env(SECRET)::get), token)).isZero();
        assertThat(out.toString()).contains("\"customer\":\"acme\"").contains("\"cell\":\"cell-2\"");
    }

    @Test
    void mint_withoutKeyOrSecret_exits2() {
        int code = run(new TokenCommand.Mint(env(null)::get), "--customer", "acme", "--cell", "cell-1");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--key").contains(TokenCommand.DEFAULT_SECRET_ENV);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void mint_badTtlCustomerOrMissingCell_exits2() {
        assertThat(run(new TokenCommand.Mint(env(SECRET)::get), "--customer", "acme", "--cell", "c", "--ttl", "soon"))
                .isEqualTo(2);
        assertThat(run(new TokenCommand.Mint(env(SECRET)::get), "--customer", "a b", "--cell", "c"))
                .isEqualTo(2);
        assertThat(run(new TokenCommand.Mint(env(SECRET)::get), "--customer", "acme"))
                .isEqualTo(2);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void keygen_thenMintWithTheKey_thenVerifyWithThePrintedJwks() throws Exception {
        Path key = dir.resolve("signing.jwk");

        assertThat(run(new TokenCommand.Keygen(), "--alg", "ES256", "--kid", "k1", "--out", key.toString()))
                .isZero();
        Path jwks = Files.writeString(dir.resolve("keys.json"), out.toString());
        assertThat(Files.readString(jwks)).doesNotContain("\"d\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");

        out.getBuffer().setLength(0);
        assertThat(run(
                        new TokenCommand.Mint(env(null)::get),
                        "--customer",
                        "acme",
                        "--cell",
                        "cell-1",
                        "--key",
                        key.toString()))
                .isZero();
        String token = out.toString().trim();
        assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo("k1");

        out.getBuffer().setLength(0);
        assertThat(run(new TokenCommand.Verify(env(null)::get), token, "--jwks", jwks.toString()))
                .isZero();
        assertThat(out.toString()).contains("\"kid\":\"k1\"");
    }

    @Test
    void keygen_neverOverwritesAKey() throws Exception {
        Path key = Files.writeString(dir.resolve("signing.jwk"), "precious");

        assertThat(run(new TokenCommand.Keygen(), "--out", key.toString())).isEqualTo(2);
        assertThat(Files.readString(key)).isEqualTo("precious");
    }

    @Test
    void verify_tamperedToken_exits1WithTheReason() {
        run(new TokenCommand.Mint(env(SECRET)::get), "--customer", "acme", "--cell", "cell-1");
        String token = out.toString().trim();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "x." + parts[2];

        assertThat(run(new TokenCommand.Verify(env(SECRET)::get), tampered)).isEqualTo(1);
        assertThat(err.toString()).contains("invalid token");
    }

    @Test
    void verify_tokenLongerThanTheDefaultMaximumLifetime_exits1UnlessTheLimitIsLifted() {
        run(new TokenCommand.Mint(env(SECRET)::get), "--customer", "acme", "--cell", "cell-1", "--ttl", "365d");
        String token = out.toString().trim();

        assertThat(run(new TokenCommand.Verify(env(SECRET)::get), token)).isEqualTo(1);
        assertThat(err.toString()).contains("lifetime");
        assertThat(run(new TokenCommand.Verify(env(SECRET)::get), token, "--max-lifetime", "none"))
                .isZero();
    }
}
