package io.vmsim.core.mrc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * SHARDS' scaled distances are unbiased: over many hash salts (many samples of the pages), the
 * estimated curve's cliff sits, on average, at the exact one.
 *
 * <p>A loop over M pages replayed three times puts every re-reference at stack distance M (one
 * plus the M - 1 other pages). Sampled at rate R, a sampled page's distance in the sampled
 * stack is one plus the sampled pages among those M - 1, K ~ Binomial(M - 1, R); {@code 1 + K / R}
 * has mean M, {@code (1 + K) / R} has mean M - 1 + 1 / R (here 19 too far). The estimated miss
 * ratio drops from its top to the cold misses' floor at the scaled distance. (The mean is over
 * sampled references, not over salts: a salt that samples more pages has more estimates.)
 */
final class ShardsTest {

    @Test
    void theMeanCliffOverManySalts_isTheExactOne() {
        int m = 200;
        double rate = 0.05;
        int[] refs = new int[3 * m];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = i % m;
        }
        // the exact cliff: the smallest size at which brute-force LRU misses only the cold references
        int exactCliff = 1;
        while (StackDistancesTest.naiveLru(refs, exactCliff) > m) {
            exactCliff++;
        }
        int sizes = 4 * m;
        double sum = 0;
        double weight = 0;
        int samples = 0;
        for (int k = 1; k <= 1500; k++) {
            Shards sh = new Shards(rate, Shards.mix(k * 0x9E3779B97F4A7C15L));
            sh.ensureIds(m);
            for (int id : refs) {
                sh.access(id, 1000 + id);
            }
            double[] est = sh.missRatioCurve(sizes);
            double floor = est[sizes - 1];
            if (sh.sampledRefs() == 0 || est[0] == floor) {
                continue; // no page sampled
            }
            int cliff = 1;
            while (est[cliff - 1] > floor) {
                cliff++;
            }
            // each sampled reference estimates its own distance: weigh a salt by its sampled references
            sum += (double) cliff * sh.sampledRefs();
            weight += sh.sampledRefs();
            samples++;
        }
        assertThat(samples).isGreaterThan(1400);
        // one salt's cliff has a standard deviation of about sqrt((M - 1) R (1 - R)) / R = 61.5 pages;
        // the mean over 1,400 salts or more is within about 4 of its standard errors of its expectation
        assertThat(sum / weight).as("mean estimated cliff; exact %d", exactCliff).isBetween(exactCliff - 7.0, exactCliff + 7.0);
    }
}
