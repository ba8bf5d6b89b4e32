package io.cellrouter.loadtest.load;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * How requests spread over the customers {@code c0..c(K-1)}: uniformly, or by Zipf's law with
 * exponent {@code s} (customer {@code c0} is the most frequent, {@code c1} the next, ...), which is
 * how tenant traffic usually looks: a few big customers, a long tail.
 *
 * <p>Each scheduler thread draws from its own {@link Picker} (random generators are not
 * thread-safe); Commons RNG's Zipf sampler is rejection-inversion, O(1) memory for any K.
 *
 * @param customers K, at least 1
 * @param zipfExponent 0 for uniform, else the Zipf exponent (> 0)
 */
public record CustomerDistribution(int customers, double zipfExponent) {

    public CustomerDistribution {
        if (customers < 1) {
            throw new IllegalArgumentException("customers must be >= 1, was " + customers);
        }
        if (zipfExponent < 0 || Double.isNaN(zipfExponent) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("zipf exponent must be >= 0, was " + zipfExponent);
        }
    }

    public static CustomerDistribution uniform(int customers) {
        return new CustomerDistribution(customers, 0);
    }

    public static CustomerDistribution zipf(int customers, double exponent) {
        return new CustomerDistribution(customers, exponent);
    }

    public boolean isUniform() {
        return zipfExponent == 0;
    }

    /** A picker for one thread; the same seed gives the same sequence. */
    public Picker newPicker(long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        if (isUniform() || customers == 1) {
            return () -> rng.nextInt(customers);
        }
        DiscreteSampler sampler = RejectionInversionZipfSampler.of(rng, customers, zipfExponent);
        return () -> sampler.sample() - 1;
    }

    public String describe() {
        return isUniform() ? "uniform" : "zipf s=" + zipfExponent;
    }

    /** Draws customer indexes in {@code [0, customers)}; one thread only. */
    @FunctionalInterface
    public interface Picker {
        int next();
    }
}
