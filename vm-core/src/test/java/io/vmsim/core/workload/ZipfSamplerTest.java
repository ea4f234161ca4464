package io.vmsim.core.workload;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

final class ZipfSamplerTest {
    /** Draws many samples and compares each rank's frequency with k^-s / H(n, s). */
    private static void matchesTheZipfLaw(long n, double s) {
        ZipfSampler z = new ZipfSampler(n, s);
        SplittableRandom rng = new SplittableRandom(1);
        int draws = 400_000;
        long[] counts = new long[(int) n + 1];
        for (int i = 0; i < draws; i++) {
            long k = z.sample(rng);
            assertThat(k).isBetween(1L, n);
            counts[(int) k]++;
        }
        double h = 0;
        for (int k = 1; k <= n; k++) {
            h += Math.pow(k, -s);
        }
        for (int k = 1; k <= Math.min(n, 20); k++) {
            double expected = draws * Math.pow(k, -s) / h;
            // 5 standard deviations of a binomial count
            double sd = Math.sqrt(expected * (1 - expected / draws));
            assertThat((double) counts[k]).as("rank %d of n=%d s=%.2f", k, n, s).isCloseTo(expected, org.assertj.core.data.Offset.offset(5 * sd + 1));
        }
    }

    @Test
    void frequenciesFollowTheZipfLaw_forSBelowAtAndAboveOne() {
        matchesTheZipfLaw(1000, 0.7);
        matchesTheZipfLaw(1000, 1.0);
        matchesTheZipfLaw(50, 1.6);
    }

    @Test
    void aSingleRank_isAlwaysDrawn() {
        ZipfSampler z = new ZipfSampler(1, 1.2);
        assertThat(z.sample(new SplittableRandom(3))).isEqualTo(1);
    }
}
