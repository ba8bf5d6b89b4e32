package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CustomerDistributionTest {

    private static final int DRAWS = 400_000;

    @Test
    void zipf_frequenciesFollowOneOverRankToTheS() {
        int k = 100;
        double s = 1.0;
        long[] counts = draw(CustomerDistribution.zipf(k, s), k);

        double harmonic = 0;
        for (int rank = 1; rank <= k; rank++) {
            harmonic += 1 / Math.pow(rank, s);
        }
        // c0 is the most frequent, at 1/H(k); c1 half as frequent; c9 a tenth.
        assertThat(counts[0] / (double) DRAWS).isCloseTo(1 / harmonic, within(0.01));
        assertThat(counts[0] / (double) counts[1]).isCloseTo(2.0, within(0.1));
        assertThat(counts[0] / (double) counts[9]).isCloseTo(10.0, within(1.0));
        for (int i = 1; i < 10; i++) {
            assertThat(counts[i]).isLessThan(counts[i - 1]);
        }
    }

    @Test
    void zipf_largerExponent_concentratesOnTheHead() {
        long[] mild = draw(CustomerDistribution.zipf(1000, 0.8), 1000);
        long[] steep = draw(CustomerDistribution.zipf(1000, 1.5), 1000);
        assertThat(steep[0]).isGreaterThan(2 * mild[0]);
    }

    @Test
    void uniform_everyCustomerNearTheMean() {
        int k = 50;
        long[] counts = draw(CustomerDistribution.uniform(k), k);
        double mean = DRAWS / (double) k;
        for (long c : counts) {
            assertThat((double) c).isCloseTo(mean, within(mean * 0.1));
        }
    }

    @Test
    void sameSeed_sameSequence() {
        CustomerDistribution d = CustomerDistribution.zipf(1000, 1.1);
        CustomerDistribution.Picker a = d.newPicker(42);
        CustomerDistribution.Picker b = d.newPicker(42);
        for (int i = 0; i < 1000; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }

    @Test
    void negativeExponent_rejected() {
        assertThatThrownBy(() -> CustomerDistribution.zipf(10, -1)).hasMessageContaining("zipf exponent");
    }

    private static long[] draw(CustomerDistribution d, int k) {
        long[] counts = new long[k];
        CustomerDistribution.Picker picker = d.newPicker(7);
        for (int i = 0; i < DRAWS; i++) {
            int c = picker.next();
            assertThat(c).isBetween(0, k - 1);
            counts[c]++;
        }
        return counts;
    }
}
