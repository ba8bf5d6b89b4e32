package io.cellrouter.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cellrouter.registry.store.InvalidRegistryException;
import io.cellrouter.registry.store.RegistryDocuments;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Cell#metadataProblem}: the one rule for a cell's region, tier and label names, shared by
 * the registry document parser and the admin API. What it refuses, a registry file written with it
 * does not parse; what it accepts, the file round-trips.
 */
class CellMetadataTest {

    private static final URI ENDPOINT = URI.create("http://c1:80");

    @ParameterizedTest
    @ValueSource(strings = {"US East (N. Virginia)", "eu west", "", " ", "eu\u0000west", "eu\nwest", "-eu", "é"})
    void badRegion_isAProblemNamingRegion_andTheParserRefusesItToo(String region) {
        assertThat(Cell.metadataProblem(region, null, Map.of()))
                .startsWith("region: name must match " + Cell.NAME.pattern());
        assertRefusedByTheParser(cell(region, null, Map.of()), ".region");
    }

    @Test
    void regionOver128Characters_isAProblem() {
        String region = "r".repeat(129);

        assertThat(Cell.metadataProblem(region, null, Map.of())).startsWith("region: ");
        assertRefusedByTheParser(cell(region, null, Map.of()), ".region");
        assertThat(Cell.metadataProblem("r".repeat(128), null, Map.of())).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", "\n "})
    void blankLabelName_isAProblemNamingLabels_andTheParserRefusesItToo(String label) {
        assertThat(Cell.metadataProblem(null, null, Map.of(label, "x"))).isEqualTo("labels: has an empty label name");
        assertRefusedByTheParser(cell(null, null, Map.of(label, "x")), ".labels");
    }

    @Test
    void badTierName_isAProblemNamingTier() {
        assertThat(Cell.metadataProblem(null, "gold tier", Map.of())).startsWith("tier: name must match ");
        assertRefusedByTheParser(cell(null, "gold tier", Map.of()), ".tier");
    }

    @Test
    void goodMetadata_isNoProblem_andRoundTripsThroughTheFile() {
        for (Cell good : List.of(
                cell("us-east-1", "prod", Map.of("cloud", "aws", "a b", "x\ny", "<<", "")),
                cell(null, null, Map.of()),
                cell("eu_west.2", "single-tenant", Map.of("é", "\u0000")))) {
            assertThat(Cell.metadataProblem(good.region(), good.tier(), good.labels()))
                    .isNull();
            RegistryDocument document = new RegistryDocument(List.of(good), Map.of(), List.of(), Map.of(), List.of());
            assertThat(RegistryDocuments.parse(RegistryDocuments.write(document), "test"))
                    .isEqualTo(document);
        }
    }

    private static Cell cell(String region, String tier, Map<String, String> labels) {
        return new Cell("c1", ENDPOINT, CellState.ACTIVE, region, tier, labels, 0);
    }

    private static void assertRefusedByTheParser(Cell cell, String field) {
        RegistryDocument document = new RegistryDocument(List.of(cell), Map.of(), List.of(), Map.of(), List.of());
        String written = RegistryDocuments.write(document);
        assertThatThrownBy(() -> RegistryDocuments.parse(written, "test"))
                .isInstanceOf(InvalidRegistryException.class)
                .hasMessageContaining("cells[0]" + field);
    }
}
