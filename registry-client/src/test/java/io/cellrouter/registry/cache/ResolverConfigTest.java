package io.cellrouter.registry.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResolverConfigTest {

    @Test
    void defaults_areTheDocumentedDefaults() {
        ResolverConfig config = ResolverConfig.defaults();

        assertThat(config.maximumSize()).isEqualTo(1_000_000);
        assertThat(config.refreshAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.negativeTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.preload()).isTrue();
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.unknownCustomerCell()).isNull();
        assertThat(config.retryAfter()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void with_oneField_changesOnlyThatField() {
        ResolverConfig config = ResolverConfig.defaults().withNegativeTtl(Duration.ofSeconds(30));

        assertThat(config)
                .isEqualTo(new ResolverConfig(
                        1_000_000,
                        Duration.ofMinutes(10),
                        Duration.ofSeconds(30),
                        true,
                        Duration.ofSeconds(1),
                        null,
                        Duration.ofSeconds(5)));
    }

    @Test
    void new_zeroMaximumSize_failsNamingFieldAndValue() {
        assertThatThrownBy(() -> ResolverConfig.defaults().withMaximumSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maximumSize must be >= 1, was 0");
    }

    @Test
    void new_zeroRefreshAfter_failsNamingFieldAndValue() {
        assertThatThrownBy(() -> ResolverConfig.defaults().withRefreshAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("refreshAfter must be positive, was PT0S");
    }

    @Test
    void new_negativeNegativeTtl_failsNamingFieldAndValue() {
        assertThatThrownBy(() -> ResolverConfig.defaults().withNegativeTtl(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("negativeTtl must be >= 0, was PT-1S");
    }

    @Test
    void new_zeroNegativeTtl_isAllowedAndMeansUnknownCustomersAreNotRemembered() {
        assertThat(ResolverConfig.defaults().withNegativeTtl(Duration.ZERO).negativeTtl())
                .isZero();
    }

    @Test
    void new_missingPollInterval_failsNamingTheField() {
        assertThatThrownBy(() -> ResolverConfig.defaults().withPollInterval(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pollInterval must be positive, was null");
    }

    @Test
    void new_negativeRetryAfter_failsNamingFieldAndValue() {
        assertThatThrownBy(() -> ResolverConfig.defaults().withRetryAfter(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryAfter must be positive, was PT-5S");
    }

    @Test
    void new_unknownCustomerCellThatIsNoCellName_failsNamingFieldAndValue() {
        assertThatThrownBy(() -> ResolverConfig.defaults().withUnknownCustomerCell("no such cell"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknownCustomerCell must be null (reject) or match")
                .hasMessageEndingWith("was 'no such cell'");
    }
}
