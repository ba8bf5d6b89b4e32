package io.cellrouter.registry.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CellOwnershipTest {

    private final Map<String, String> view = Map.of("acme", "cell-2", "globex", "cell-1", "odd", "cell 9\r\nx: y");
    private final CellOwnership ownership = new CellOwnership("cell-2", view::get);

    @Test
    void decide_customerPlacedHere_serves() {
        CellOwnership.Decision decision = ownership.decide("acme");

        assertThat(decision.serve()).isTrue();
        assertThat(decision.ownerHeader()).isNull();
    }

    @Test
    void decide_customerPlacedElsewhere_is421NamingTheOwner() {
        CellOwnership.Decision decision = ownership.decide("globex");

        assertThat(decision.serve()).isFalse();
        assertThat(decision.status()).isEqualTo(421);
        assertThat(decision.ownerHeader()).isEqualTo("cell-1");
        assertThat(decision.body()).contains("\"owner\":\"cell-1\"");
    }

    @Test
    void decide_unknownCustomer_is421WithoutAName_unlessUnknownCustomersAreServed() {
        assertThat(ownership.decide("initech").status()).isEqualTo(421);
        assertThat(ownership.decide("initech").ownerHeader()).isNull();

        assertThat(new CellOwnership("cell-2", view::get, true)
                        .decide("initech")
                        .serve())
                .isTrue();
    }

    @Test
    void decide_ownerNameThatIsNotACellName_isNeverPutInAHeader() {
        CellOwnership.Decision decision = ownership.decide("odd");

        assertThat(decision.status()).isEqualTo(421);
        assertThat(decision.ownerHeader()).isNull();
    }

    @Test
    void constructor_badOwnName_failsNamingIt() {
        assertThatThrownBy(() -> new CellOwnership("cell 2", view::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cell 2'");
    }

    @Test
    void isShadow_onlyTheRoutersMarker() {
        assertThat(CellOwnership.isShadow("1")).isTrue();
        assertThat(CellOwnership.isShadow(null)).isFalse();
        assertThat(CellOwnership.isShadow("true")).isFalse();
    }
}
