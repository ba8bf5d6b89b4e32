package io.cellrouter.registry.store.dynamodb;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.cellrouter.registry.testing.DynaliteExtension;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;

/**
 * IRSA on EKS: the client of the production path (no {@code endpoint}) takes its credentials from
 * the web-identity token file and the role ARN, through a real {@code AssumeRoleWithWebIdentity}
 * call. WireMock plays STS (the SDK's own {@code aws.endpointUrlSts} setting points it there); the
 * settings EKS gives a pod as environment variables are given here as the equivalent Java
 * properties, set and restored around each test.
 */
class DynamoDbWebIdentityTest {

    @RegisterExtension
    static final DynaliteExtension DYNALITE = new DynaliteExtension();

    private static final String ROLE_ARN = "arn:aws:iam::111122223333:role/cell-router";
    private static final String SESSION_NAME = "cell-router-test";
    private static final String TOKEN =
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2VsbHM6cm91dGVyIn0.c2ln";
    private static final String ACCESS_KEY_ID = "ASIAWIREMOCKSTS00001";
    private static final String SECRET_ACCESS_KEY = "wiremock/secret/access/key/0000000000000";
    private static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEWireMockSessionToken";

    /**
     * Region for the SDK's STS client (it reads the default region chain, which would otherwise end
     * at instance metadata) and instance metadata switched off, so that a run in which web identity
     * does not work ends with an error here instead of a call to a metadata address.
     */
    private static final List<String> PROPERTIES = List.of(
            "aws.webIdentityTokenFile",
            "aws.roleArn",
            "aws.roleSessionName",
            "aws.endpointUrlSts",
            "aws.endpointUrlDynamoDb",
            "aws.region",
            "aws.disableEc2Metadata");

    private final Map<String, String> saved = new HashMap<>();
    private WireMockServer sts;

    @TempDir
    Path dir;

    @BeforeEach
    void webIdentity() throws IOException {
        for (String name : PROPERTIES) {
            saved.put(name, System.getProperty(name));
        }
        sts = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        sts.start();
        sts.stubFor(post(urlEqualTo("/"))
                .withRequestBody(containing("Action=AssumeRoleWithWebIdentity"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/xml")
                        .withBody(assumeRoleWithWebIdentityResponse(
                                Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS)))));
        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
        System.setProperty("aws.webIdentityTokenFile", tokenFile.toString());
        System.setProperty("aws.roleArn", ROLE_ARN);
        System.setProperty("aws.roleSessionName", SESSION_NAME);
        System.setProperty("aws.endpointUrlSts", sts.baseUrl());
        System.setProperty("aws.region", "eu-west-1");
        System.setProperty("aws.disableEc2Metadata", "true");
    }

    @AfterEach
    void restore() {
        saved.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
        sts.stop();
    }

    @Test
    void productionClient_credentialsComeFromAssumeRoleWithWebIdentity() {
        AwsCredentialsIdentity identity;
        try (DynamoDbClients.Opened opened = DynamoDbClients.create(productionSettings())) {
            DynamoDbAsyncClient client = opened.client();
            identity = client.serviceClientConfiguration()
                    .credentialsProvider()
                    .resolveIdentity()
                    .join();
        }

        assertThat(identity.accessKeyId()).isEqualTo(ACCESS_KEY_ID);
        assertThat(identity.secretAccessKey()).isEqualTo(SECRET_ACCESS_KEY);
        assertThat(identity).isInstanceOfSatisfying(AwsSessionCredentialsIdentity.class, session -> assertThat(
                        session.sessionToken())
                .isEqualTo(SESSION_TOKEN));
        List<LoggedRequest> requests = sts.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSize(1);
        assertAssumeRoleWithWebIdentity(requests.get(0));
    }

    /**
     * A full round trip: WireMock also stands in front of dynalite for DynamoDB (the SDK's {@code
     * aws.endpointUrlDynamoDb}), so its journal shows the DynamoDB calls signed with the credentials
     * that STS handed out, and dynalite answers them.
     */
    @Test
    void productionClient_signsDynamoDbCallsWithTheWebIdentityCredentials() {
        sts.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", matching("DynamoDB_20120810\\..+"))
                .willReturn(aResponse().proxiedFrom(DYNALITE.endpoint().toString())));
        System.setProperty("aws.endpointUrlDynamoDb", sts.baseUrl());
        String table = Tables.newName();

        DescribeTableResponse described;
        try (DynamoDbClients.Opened opened = DynamoDbClients.create(productionSettings())) {
            DynamoDbAsyncClient client = opened.client();
            DynamoDbTables.create(client, table).join();
            described = client.describeTable(b -> b.tableName(table)).join();
        }

        assertThat(described.table().tableName()).isEqualTo(table);
        List<LoggedRequest> requests = sts.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSizeGreaterThanOrEqualTo(3);
        assertAssumeRoleWithWebIdentity(requests.get(0));
        for (LoggedRequest dynamoDb : requests.subList(1, requests.size())) {
            assertThat(dynamoDb.getHeader("X-Amz-Target")).startsWith("DynamoDB_20120810.");
            assertThat(dynamoDb.getHeader("Authorization")).contains("Credential=" + ACCESS_KEY_ID + "/");
            assertThat(dynamoDb.getHeader("X-Amz-Security-Token")).isEqualTo(SESSION_TOKEN);
        }
        assertThat(requests.stream().skip(1).map(r -> r.getHeader("X-Amz-Target")))
                .contains("DynamoDB_20120810.CreateTable", "DynamoDB_20120810.DescribeTable");
    }

    /**
     * Credentials due for renewal (within five minutes of expiring) are renewed in the background:
     * the caller gets the current ones at once, while the renewal's STS call is still unanswered. The
     * caller is a router event loop; renewing on it would hold every connection of that loop for the
     * whole STS call.
     *
     * <p>The credentials expire in 110 s, so they are due (renewal from five minutes before expiry)
     * and not yet stale (one minute before expiry). The SDK moves each renewal time to a random
     * instant before "one minute before stale": with 110 s that instant is always in the past and
     * the very next call starts the renewal. With a longer lifetime it may lie ahead, and no renewal
     * starts within the test: at three minutes, one run in three waited in vain.
     */
    @Test
    void productionClient_credentialsDueForRenewal_areRenewedWithoutHoldingTheCaller() {
        sts.stubFor(post(urlEqualTo("/"))
                .inScenario("renewal")
                .whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("renewing")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/xml")
                        .withBody(assumeRoleWithWebIdentityResponse(
                                Instant.now().plus(Duration.ofSeconds(110)).truncatedTo(ChronoUnit.SECONDS)))));
        sts.stubFor(post(urlEqualTo("/"))
                .inScenario("renewal")
                .whenScenarioStateIs("renewing")
                .willReturn(aResponse().withStatus(500).withFixedDelay(30_000)));

        try (DynamoDbClients.Opened opened = DynamoDbClients.create(productionSettings())) {
            DynamoDbAsyncClient client = opened.client();
            IdentityProvider<? extends AwsCredentialsIdentity> credentials =
                    client.serviceClientConfiguration().credentialsProvider();
            AwsCredentialsIdentity first = credentials.resolveIdentity().join();

            CompletableFuture<AwsCredentialsIdentity> due = CompletableFuture.supplyAsync(
                    () -> credentials.resolveIdentity().join());

            assertThat(due)
                    .succeedsWithin(Duration.ofSeconds(10))
                    .extracting(AwsCredentialsIdentity::accessKeyId)
                    .isEqualTo(first.accessKeyId());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> sts.findAll(anyRequestedFor(anyUrl())).size() == 2);
        }
    }

    /** With an {@code endpoint} (a local emulator) the web-identity settings are ignored: no STS call. */
    @Test
    void emulatorClient_neverCallsSts() {
        AwsCredentialsIdentity identity;
        try (DynamoDbClients.Opened opened =
                DynamoDbClients.create(Tables.settings(DYNALITE.endpoint(), Tables.newName()))) {
            identity = opened.client()
                    .serviceClientConfiguration()
                    .credentialsProvider()
                    .resolveIdentity()
                    .join();
        }

        assertThat(identity.accessKeyId()).isEqualTo("cell-router");
        assertThat(sts.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }

    private static DynamoDbSettings productionSettings() {
        DynamoDbSettings settings = DynamoDbSettings.of(Tables.newName()).withRegion("eu-west-1");
        assertThat(settings.endpoint()).isNull();
        return settings;
    }

    private static void assertAssumeRoleWithWebIdentity(LoggedRequest request) {
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getUrl()).isEqualTo("/");
        Map<String, String> form = form(request.getBodyAsString());
        assertThat(form)
                .containsEntry("Action", "AssumeRoleWithWebIdentity")
                .containsEntry("RoleArn", ROLE_ARN)
                .containsEntry("RoleSessionName", SESSION_NAME)
                .containsEntry("WebIdentityToken", TOKEN);
        // AssumeRoleWithWebIdentity is an unsigned call: the token is the proof, not a key.
        assertThat(request.containsHeader("Authorization")).isFalse();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            fields.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    private static String assumeRoleWithWebIdentityResponse(Instant expiration) {
        return """
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleWithWebIdentityResult>
                    <SubjectFromWebIdentityToken>system:serviceaccount:cells:router</SubjectFromWebIdentityToken>
                    <AssumedRoleUser>
                      <Arn>arn:aws:sts::111122223333:assumed-role/cell-router/%s</Arn>
                      <AssumedRoleId>AROAWIREMOCKROLE0001:%s</AssumedRoleId>
                    </AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>%s</AccessKeyId>
                      <SecretAccessKey>%s</SecretAccessKey>
                      <SessionToken>%s</SessionToken>
                      <Expiration>%s</Expiration>
                    </Credentials>
                    <Audience>sts.amazonaws.com</Audience>
                  </AssumeRoleWithWebIdentityResult>
                  <ResponseMetadata>
                    <RequestId>4f2a8e5c-0000-4000-8000-000000000001</RequestId>
                  </ResponseMetadata>
                </AssumeRoleWithWebIdentityResponse>
                """
                .formatted(SESSION_NAME, SESSION_NAME, ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, expiration);
    }
}
