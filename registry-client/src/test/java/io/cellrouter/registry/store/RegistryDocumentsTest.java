package io.cellrouter.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.registry.model.Cell;
import io.cellrouter.registry.model.CellState;
import io.cellrouter.registry.model.RegistryDocument;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.model.Shadow;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryDocumentsTest {

    private static final String SOURCE = "/etc/cell-router/registry.yaml";

    /** A registry document with every kind of entry, commented as an operator writes one. */
    private static final String COMMENTED_EXAMPLE =
            """
            cells:
              - name: cell-1
                endpoint: http://10.0.1.10:8080   # http://, https:// (ALPN) or h2c:// (HTTP/2 prior knowledge)
                state: active                      # active | draining (no new placements) | offline (fail fast)
                region: us-east-1                  # optional metadata, as a cell registry keeps it:
                tier: prod                         #   region, tier (prod | preprod | dev | single-tenant),
                labels: {cloud: aws, account: "123456789012"}   # free-form labels
              - name: cell-2
                endpoint: https://cell-2.internal:443
            customers:
              acme: cell-1
              globex: cell-2
            overrides:
              - customer: acme
                cell: cell-2                       # route here instead, until expiresAt
                expiresAt: 2026-12-01T00:00:00Z
              - customer: initech
                freeze: true                       # hold the customer: 503 + Retry-After while data moves
                expiresAt: 2026-12-01T00:00:00Z
            """;

    @Test
    void parse_commentedExample_readsCellsCustomersAndOverrides() {
        RegistryDocument document = RegistryDocuments.parse(COMMENTED_EXAMPLE, SOURCE);

        assertThat(document.cells())
                .containsExactly(
                        new Cell(
                                "cell-1",
                                URI.create("http://10.0.1.10:8080"),
                                CellState.ACTIVE,
                                "us-east-1",
                                "prod",
                                Map.of("cloud", "aws", "account", "123456789012"),
                                0),
                        new Cell("cell-2", URI.create("https://cell-2.internal:443"), CellState.ACTIVE));
        assertThat(document.customers()).containsExactly(Map.entry("acme", "cell-1"), Map.entry("globex", "cell-2"));
        Instant expiry = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(document.overrides())
                .containsExactly(
                        RoutingOverride.toCell("acme", "cell-2", expiry, null),
                        RoutingOverride.freeze("initech", expiry, null));
        assertThat(document.versions()).isEmpty();
    }

    @Test
    void parse_cellWithoutState_isActive() {
        RegistryDocument document = RegistryDocuments.parse("cells: [{name: c1, endpoint: 'h2c://c1:80'}]", SOURCE);

        assertThat(document.cells().get(0).state()).isEqualTo(CellState.ACTIVE);
    }

    @Test
    void parse_json_readsTheSameDocumentAsYaml() {
        RegistryDocument yaml = RegistryDocuments.parse(COMMENTED_EXAMPLE, SOURCE);

        RegistryDocument json = RegistryDocuments.parse(RegistryDocuments.toJson(yaml), SOURCE);

        assertThat(json).isEqualTo(yaml);
    }

    @Test
    void write_thenParse_roundTripsEveryField() {
        RegistryDocument document = new RegistryDocument(
                List.of(
                        new Cell(
                                "cell-1",
                                URI.create("http://10.0.1.10:8080"),
                                CellState.DRAINING,
                                "eu-west-1",
                                "single-tenant",
                                Map.of("account", "007", "cloud", "aws", "flag", "true"),
                                7),
                        new Cell("cell-2", URI.create("h2c://cell-2:8080"), CellState.OFFLINE)),
                Map.of("acme", "cell-1", "globex", "cell-2"),
                List.of(
                        RoutingOverride.toCell(
                                "acme", "cell-2", Instant.parse("2026-12-01T10:15:30.5Z"), "migration 42"),
                        RoutingOverride.freeze("globex", Instant.parse("2027-01-01T00:00:00Z"), null)),
                Map.of("acme", 3L));

        String yaml = RegistryDocuments.write(document);

        assertThat(RegistryDocuments.parse(yaml, SOURCE)).isEqualTo(document);
        assertThat(RegistryDocuments.parse(RegistryDocuments.toJson(document), SOURCE))
                .isEqualTo(document);
    }

    @Test
    void write_placements_keepsTheSimpleCustomerToCellForm() {
        RegistryDocument document = new RegistryDocument(
                List.of(new Cell("cell-1", URI.create("http://c1"), CellState.ACTIVE)),
                Map.of("acme", "cell-1"),
                List.of(),
                Map.of("acme", 4L));

        String yaml = RegistryDocuments.write(document);

        assertThat(yaml).contains("customers:\n  acme: cell-1\n").contains("versions:\n  acme: 4\n");
    }

    @Test
    void parse_emptyObject_isTheEmptyRegistry() {
        assertThat(RegistryDocuments.parse("{}", SOURCE)).isEqualTo(RegistryDocument.empty());
    }

    @Test
    void parse_blankText_failsBecauseATruncatedFileIsNotAnEmptyRegistry() {
        assertThatThrownBy(() -> RegistryDocuments.parse("  \n", SOURCE))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("empty");
    }

    @Test
    void parse_unknownTopLevelKey_failsNamingSourceAndKey() {
        assertInvalid("cells: []\nclusters: []\n", "clusters", "unknown key");
    }

    @Test
    void parse_unknownCellKey_failsNamingThePathOfTheKey() {
        assertInvalid("cells:\n  - {name: c1, endpoint: 'http://c1', colour: red}\n", "cells[0].colour", "unknown key");
    }

    @Test
    void parse_unknownOverrideKey_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\n"
                        + "overrides: [{customer: a, cell: c1, expiresAt: '2026-01-01T00:00:00Z', until: x}]\n",
                "overrides[0].until",
                "unknown key");
    }

    @Test
    void parse_badCellName_failsNamingKeyAndValue() {
        assertInvalid("cells: [{name: 'bad name', endpoint: 'http://c1'}]", "cells[0].name", "'bad name'");
    }

    @Test
    void parse_badCustomerId_failsNamingTheId() {
        assertInvalid("cells: [{name: c1, endpoint: 'http://c1'}]\ncustomers: {'-acme': c1}\n", "customers", "'-acme'");
    }

    @Test
    void parse_customerOnUnknownCell_failsNamingCustomerAndCell() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\ncustomers: {acme: c9}\n",
                "customers.acme",
                "names a cell that is not in cells, was 'c9'");
    }

    @Test
    void parse_overrideOnUnknownCell_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\n"
                        + "overrides: [{customer: a, cell: c9, expiresAt: '2026-01-01T00:00:00Z'}]\n",
                "overrides[0].cell",
                "'c9'");
    }

    @Test
    void parse_duplicateCell_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}, {name: c1, endpoint: 'http://c2'}]",
                "cells[1].name",
                "duplicate");
    }

    @Test
    void parse_duplicateCustomerKey_fails() {
        assertThatThrownBy(() -> RegistryDocuments.parse(
                        "cells: [{name: c1, endpoint: 'http://c1'}]\ncustomers:\n  acme: c1\n  acme: c1\n", SOURCE))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("acme");
    }

    @Test
    void parse_secondOverrideForOneCustomer_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\noverrides:\n"
                        + "  - {customer: a, cell: c1, expiresAt: '2026-01-01T00:00:00Z'}\n"
                        + "  - {customer: a, freeze: true, expiresAt: '2026-01-01T00:00:00Z'}\n",
                "overrides[1].customer",
                "'a'");
    }

    @Test
    void parse_endpointWithUnsupportedScheme_failsNamingTheEndpoint() {
        assertInvalid("cells: [{name: c1, endpoint: 'ftp://c1'}]", "cells[0].endpoint", "'ftp://c1'");
    }

    @Test
    void parse_endpointPortOutOfRange_failsNamingKeyAndValue() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://127.0.0.1:99999'}]",
                "cells[0].endpoint",
                "'http://127.0.0.1:99999'");
        assertInvalid("cells: [{name: c1, endpoint: 'http://c1:0'}]", "cells[0].endpoint", "port");
    }

    @Test
    void parse_endpointWithPathOrQuery_failsRatherThanDroppingIt() {
        assertInvalid("cells: [{name: c1, endpoint: 'http://c1:8080/x'}]", "cells[0].endpoint", "'http://c1:8080/x'");
        assertInvalid("cells: [{name: c1, endpoint: 'http://c1:8080?a=b'}]", "cells[0].endpoint", "query");
        assertInvalid("cells: [{name: c1, endpoint: 'http://user@c1:8080'}]", "cells[0].endpoint", "user");
    }

    @Test
    void parse_severalProblems_reportsEveryOneOnItsOwnLine() {
        assertThatThrownBy(() -> RegistryDocuments.parse(
                        """
                        cells:
                          - name: c1
                            endpoint: 'http://c1:99999'
                          - name: c2
                            endpoint: 'http://c2:8080'
                            colour: red
                        customers:
                          acme: c1
                          globex: c9
                        overrides:
                          - customer: initech
                            freeze: true
                            expiresAt: tomorrow
                        """,
                        SOURCE))
                .isInstanceOf(InvalidRegistryException.class)
                .satisfies(e -> assertThat(e.getMessage().lines())
                        .containsExactly(
                                SOURCE + ": cells[0].endpoint: port must be from 1 to 65535, was 'http://c1:99999'",
                                SOURCE + ": cells[1].colour: unknown key (allowed: name, endpoint, state, region, tier,"
                                        + " labels, version), was 'colour'",
                                SOURCE + ": customers.globex: names a cell that is not in cells, was 'c9'",
                                SOURCE + ": overrides[0].expiresAt: must be a date-time with a zone, like"
                                        + " 2026-12-01T00:00:00Z, was 'tomorrow'"));
    }

    @Test
    void parse_endpointWithTrailingSlash_isAccepted() {
        RegistryDocument document =
                RegistryDocuments.parse("cells: [{name: c1, endpoint: 'https://c1:8443/'}]", SOURCE);

        assertThat(document.cells().get(0).port()).isEqualTo(8443);
    }

    @Test
    void parse_missingEndpoint_failsNamingTheKey() {
        assertInvalid("cells: [{name: c1}]", "cells[0].endpoint", "required");
    }

    @Test
    void parse_unknownState_failsNamingTheState() {
        assertInvalid("cells: [{name: c1, endpoint: 'http://c1', state: paused}]", "cells[0].state", "'paused'");
    }

    @Test
    void importOfAnUnknownTier_failsNamingTheCellTheTierAndTheAllowedTiers_butAStoredOneStillLoads() {
        RegistryDocument stored = RegistryDocuments.parse(
                "cells: [{name: c1, endpoint: 'http://c1'}, {name: c2, endpoint: 'http://c2', tier: gold}]", SOURCE);

        assertThat(stored.cells().get(1).tier())
                .as("a snapshot or a registry file written before the tiers were checked")
                .isEqualTo("gold");
        assertThatThrownBy(() -> RegistryImport.checkTiers(stored, SOURCE))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessage(SOURCE + ": cells[1].tier: must be one of prod, preprod, dev, single-tenant, was 'gold'");
    }

    @Test
    void parse_everyTier_isAccepted() {
        for (String tier : List.of("prod", "preprod", "dev", "single-tenant")) {
            RegistryDocument document =
                    RegistryDocuments.parse("cells: [{name: c1, endpoint: 'http://c1', tier: " + tier + "}]", SOURCE);

            assertThat(document.cells().get(0).tier()).isEqualTo(tier);
        }
    }

    @Test
    void parse_numberWhereANameIsExpected_failsAskingForQuotes() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1', labels: {account: 123}}]",
                "cells[0].labels.account",
                "'123'");
    }

    @Test
    void parse_expiresAtWithoutZone_failsNamingTheValue() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\n"
                        + "overrides: [{customer: a, cell: c1, expiresAt: '2026-12-01'}]\n",
                "overrides[0].expiresAt",
                "'2026-12-01'");
    }

    @Test
    void parse_overrideWithCellAndFreeze_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\n"
                        + "overrides: [{customer: a, cell: c1, freeze: true, expiresAt: '2026-01-01T00:00:00Z'}]\n",
                "overrides[0]",
                "either a cell or freeze");
    }

    @Test
    void parse_versionOfUnknownCustomer_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\ncustomers: {acme: c1}\nversions: {globex: 2}\n",
                "versions.globex",
                "'globex'");
    }

    @Test
    void parse_versionBelowOne_fails() {
        assertInvalid(
                "cells: [{name: c1, endpoint: 'http://c1'}]\ncustomers: {acme: c1}\nversions: {acme: 0}\n",
                "versions.acme",
                "'0'");
    }

    @Test
    void parse_malformedYaml_failsNamingSourceAndLine() {
        assertThatThrownBy(() -> RegistryDocuments.parse("cells: [\n  {name: c1,\n", SOURCE))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining(SOURCE)
                .hasMessageContaining("line");
    }

    @Test
    void validate_documentBuiltInCodeWithDanglingCell_fails() {
        RegistryDocument document = new RegistryDocument(List.of(), Map.of("acme", "cell-1"), List.of(), Map.of());

        assertThatThrownBy(() -> RegistryDocuments.validate(document, "import"))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining("import: customers.acme");
    }

    private static final String TWO_CELLS =
            "cells: [{name: cell-1, endpoint: 'http://a:80'}, {name: cell-2, endpoint: 'http://b:80'}]\n";

    @Test
    void parse_shadows_readsThemWithDefaultMethods_andWriteRoundTripsThem() {
        RegistryDocument document = RegistryDocuments.parse(
                TWO_CELLS
                        + """
                shadows:
                  - customer: acme
                    toCell: cell-2
                    fraction: 0.5
                    expiresAt: 2026-12-01T00:00:00Z
                  - customer: globex
                    toCell: cell-1
                    fraction: 1
                    methods: [get, POST]
                    expiresAt: 2026-12-01T00:00:00Z
                    reason: check cell-1
                """,
                SOURCE);

        Instant expiry = Instant.parse("2026-12-01T00:00:00Z");
        assertThat(document.shadows())
                .containsExactly(
                        new Shadow("acme", "cell-2", 0.5, List.of("GET", "HEAD"), expiry, null),
                        new Shadow("globex", "cell-1", 1.0, List.of("GET", "POST"), expiry, "check cell-1"));
        assertThat(RegistryDocuments.parse(RegistryDocuments.write(document), SOURCE))
                .isEqualTo(document);
        assertThat(RegistryDocuments.write(document)).doesNotContain("HEAD");
    }

    @Test
    void parse_shadowWithFractionOutOfRange_failsNamingKeyAndValue() {
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-2, fraction: 1.5, expiresAt: 2026-12-01T00:00:00Z}]",
                "shadows[0].fraction",
                "above 0 and at most 1, was '1.5'");
        assertInvalid(
                TWO_CELLS
                        + "shadows: [{customer: a, toCell: cell-2, fraction: '0.5', expiresAt: 2026-12-01T00:00:00Z}]",
                "shadows[0].fraction",
                "must be a number");
    }

    @Test
    void parse_shadowProblems_eachFailNamingTheKey() {
        String expiry = ", expiresAt: 2026-12-01T00:00:00Z}";
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-9, fraction: 0.5" + expiry + "]",
                "shadows[0].toCell",
                "names a cell that is not in cells, was 'cell-9'");
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-2, fraction: 0.5, methods: ['G T']" + expiry + "]",
                "shadows[0].methods",
                "HTTP method");
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-2, fraction: 0.5, methods: []" + expiry + "]",
                "shadows[0].methods",
                "non-empty list");
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-2, fraction: 0.5, weight: 1" + expiry + "]",
                "shadows[0].weight",
                "unknown key");
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-2" + expiry + "]",
                "shadows[0].fraction",
                "is required");
        assertInvalid(
                TWO_CELLS + "shadows: [{customer: a, toCell: cell-2, fraction: 0.5" + expiry + ", {customer: a,"
                        + " toCell: cell-1, fraction: 0.5" + expiry + "]",
                "shadows[1].customer",
                "second shadow");
    }

    private static void assertInvalid(String text, String key, String detail) {
        assertThatThrownBy(() -> RegistryDocuments.parse(text, SOURCE))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining(SOURCE + ": " + key)
                .hasMessageContaining(detail);
    }
}
