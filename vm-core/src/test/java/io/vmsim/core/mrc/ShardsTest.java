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
 *
 * <p>Given the trace's distinct pages D, the scale is the sample's own share of the other pages,
 * {@code (K' - 1)/(D - 1)} for K' sampled pages: on the loop every sampled reuse then sits at
 * exactly M, for every salt, where the hash rate's scale puts it at {@code 1 + (K' - 1)/R}.
 */
final class ShardsTest {

    @Test
    void theMeanCliffOverManySalts_isTheExactOne() {
        int m = 200;
        double rate = 0.05;
        int[] refs = loop(m);
        int exactCliff = exactCliff(refs, m);
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
            double[] est = sh.missRatioCurve(sizes, 0); // the hash rate as the scale
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

    @Test
    void withTheDistinctPagesKnown_everySaltPutsTheLoopsCliffAtTheExactOne() {
        int m = 200;
        int[] refs = loop(m);
        int exactCliff = exactCliff(refs, m);
        int sizes = 4 * m;
        int salts = 0;
        int offByRate = 0;
        for (int k = 1; k <= 300; k++) {
            Shards sh = new Shards(0.05, Shards.mix(k * 0x9E3779B97F4A7C15L));
            sh.ensureIds(m);
            for (int id : refs) {
                sh.access(id, 1000 + id);
            }
            if (sh.sampledPages() < 2) {
                continue;
            }
            salts++;
            assertThat(cliff(sh.missRatioCurve(sizes, m))).as("salt %d, %d pages sampled", k, sh.sampledPages())
                    .isEqualTo(exactCliff);
            if (cliff(sh.missRatioCurve(sizes, 0)) != exactCliff) {
                offByRate++;
            }
        }
        assertThat(salts).isGreaterThan(250);
        // the hash rate's scale misses the cliff whenever the sample's share differs from the rate
        assertThat(offByRate).isGreaterThan(salts / 2);
    }

    @Test
    void atRateOneWithTheDistinctPages_theCurveIsTheExactOne() {
        int[] ids = new java.util.Random(5).ints(20_000, 0, 300).toArray();
        StackDistances sd = new StackDistances();
        Shards sh = new Shards(1.0);
        sd.ensureIds(300);
        sh.ensureIds(300);
        for (int id : ids) {
            sd.access(id);
            sh.access(id, id * 4096L);
        }
        long[] exact = sd.missCurve(300);
        double[] est = sh.missRatioCurve(300, sd.cold());
        for (int n = 1; n <= 300; n++) {
            assertThat(est[n - 1]).as("size %d", n).isCloseTo((double) exact[n - 1] / ids.length,
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    /** A loop over {@code m} pages, replayed three times. */
    private static int[] loop(int m) {
        int[] refs = new int[3 * m];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = i % m;
        }
        return refs;
    }

    /** The smallest size at which brute-force LRU misses only the {@code m} cold references. */
    private static int exactCliff(int[] refs, int m) {
        int c = 1;
        while (StackDistancesTest.naiveLru(refs, c) > m) {
            c++;
        }
        return c;
    }

    /** The smallest size at which the estimate reaches its floor (its value at the largest size). */
    private static int cliff(double[] est) {
        double floor = est[est.length - 1];
        int c = 1;
        while (est[c - 1] > floor) {
            c++;
        }
        return c;
    }
}
