package io.cellrouter.router.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellrouter.router.testing.ExternalTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The IAM policies of {@code deploy/aws/} grant exactly the DynamoDB actions the store's code
 * calls: every {@code client.operation(...)} of the DynamoDB client in {@code store/dynamodb},
 * nothing more. Creating the table is a separate, one-time policy.
 */
class IamPolicyTest {

    private static final Path ROOT = ExternalTools.repositoryRoot();
    private static final Path STORE =
            ROOT.resolve("registry-client/src/main/java/io/cellrouter/registry/store/dynamodb");
    /** The file that creates the table: its calls belong to the create-table policy. */
    private static final String TABLE_ADMIN = "DynamoDbTables.java";

    private static final Pattern CLIENT_CALL = Pattern.compile("\\bclient\\s*\\.\\s*([a-z][A-Za-z]*)\\s*\\(");

    @Test
    void routerPolicy_grantsExactlyTheActionsTheStoreCalls() throws IOException {
        assertThat(actions("iam-policy.json")).isEqualTo(calledActions(false));
    }

    @Test
    void createTablePolicy_grantsExactlyWhatCreatingTheTableCalls() throws IOException {
        assertThat(actions("iam-policy-create-table.json"))
                .isEqualTo(calledActions(true))
                .containsExactly("dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable");
    }

    private static Set<String> calledActions(boolean tableAdmin) throws IOException {
        Set<String> actions = new TreeSet<>();
        try (Stream<Path> files = Files.list(STORE)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (file.getFileName().toString().equals(TABLE_ADMIN) != tableAdmin) {
                    continue;
                }
                Matcher call = CLIENT_CALL.matcher(Files.readString(file));
                while (call.find()) {
                    String operation = call.group(1);
                    if (!operation.equals("close")) {
                        actions.add("dynamodb:" + operation.substring(0, 1).toUpperCase(Locale.ROOT)
                                + operation.substring(1));
                    }
                }
            }
        }
        assertThat(actions).isNotEmpty();
        return actions;
    }

    private static Set<String> actions(String policy) throws IOException {
        JsonNode document = new ObjectMapper()
                .readTree(ROOT.resolve("deploy/aws").resolve(policy).toFile());
        assertThat(document.path("Version").asText()).isEqualTo("2012-10-17");
        Set<String> actions = new TreeSet<>();
        for (JsonNode statement : document.path("Statement")) {
            assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
            JsonNode resources = statement.path("Resource");
            List<String> arns = new java.util.ArrayList<>();
            if (resources.isArray()) {
                resources.forEach(arn -> arns.add(arn.asText()));
            } else {
                arns.add(resources.asText());
            }
            assertThat(arns)
                    .as("one table (and its index), never *")
                    .isNotEmpty()
                    .allMatch(arn -> arn.matches("arn:aws:dynamodb:[^*]+:table/[^/*]+(/index/[^/*]+)?"));
            statement.path("Action").forEach(action -> actions.add(action.asText()));
        }
        return actions;
    }
}
