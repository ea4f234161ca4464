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
 *
 * <p>The estimate post-stratified by reference ordinal: equal to the one computed from the whole
 * record of every reference, and on a trace whose errors can be written down from the sample,
 * within them (where SHARDS_adj is not).
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
            Shards sh = sampled(refs, m, rate, k);
            double[] est = sh.missRatioCurve(sizes, 0); // the hash rate as the scale
            if (sh.sampledRefs() == 0 || est[0] == est[sizes - 1]) {
                continue; // no page sampled
            }
            int cliff = cliff(est);
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
            Shards sh = sampled(refs, m, 0.05, k);
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

    /**
     * The one-pass estimate against one computed from the whole record of every reference: its
     * page's reference ordinal j (counted here), its stratum floor(log2 j) (by a loop), whether
     * its page is sampled, and its distance in a brute-force LRU stack of the sampled pages. The
     * estimate is then written out as docs/mrc.md states it: the cold misses D, plus per stratum
     * s >= 1 the sampled references at a scaled distance above N times T_s / n_s, the strata
     * above the highest one sampled merged into it; over all the references. A few pages are
     * much heavier than the rest, so on some salts the heaviest are not sampled and their strata
     * are merged (checked to happen).
     */
    @Test
    void theOrdinalEstimate_isTheOneComputedFromEveryReferencesRecord() {
        java.util.Random rnd = new java.util.Random(13);
        int pagesInAll = 3000;
        int n = 40_000;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            double u = rnd.nextDouble();
            // 5 heavy pages with a third of the references, the rest skewed over the others
            ids[i] = u < 0.33 ? rnd.nextInt(5) : 5 + (int) ((pagesInAll - 5) * Math.pow(rnd.nextDouble(), 2.5));
        }
        int merged = 0;
        for (int k = 0; k < 40; k++) {
            Shards sh = new Shards(0.05, Shards.mix(k * 0x9E3779B97F4A7C15L + 1));
            sh.ensureIds(pagesInAll);
            int[] ordinal = new int[pagesInAll];
            long[] total = new long[40];
            long[] inSample = new long[40];
            java.util.List<int[]> sampledReuses = new java.util.ArrayList<>(); // {stratum, distance in the sampled stack}
            java.util.LinkedList<Integer> stack = new java.util.LinkedList<>();
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int id : ids) {
                long page = 7_000_000L + 3L * id;
                sh.access(id, page);
                seen.add(id);
                int j = ++ordinal[id];
                int s = 0;
                while ((2L << s) <= j) {
                    s++;
                }
                total[s]++;
                if (!sh.sampled(page)) {
                    continue;
                }
                inSample[s]++;
                int at = stack.indexOf(id);
                if (at >= 0) {
                    stack.remove(at);
                    sampledReuses.add(new int[] {s, at + 1});
                } else {
                    assertThat(s).as("a sampled page's first reference is in stratum 0").isZero();
                }
                stack.addFirst(id);
            }
            int distinct = seen.size();
            long sampledPages = inSample[0];
            if (sampledPages < 2) {
                continue;
            }
            int top = 0;
            int highest = 0;
            for (int s = 1; s < 40; s++) {
                top = inSample[s] > 0 ? s : top;
                highest = total[s] > 0 ? s : highest;
            }
            if (highest > top) {
                merged++;
            }
            double[] weight = new double[40];
            for (int s = 1; s <= top; s++) {
                long t = total[s];
                for (int u = top + 1; s == top && u < 40; u++) {
                    t += total[u]; // the strata above the highest one sampled
                }
                weight[s] = (double) t / inSample[s];
            }
            double scale = (double) (sampledPages - 1) / (distinct - 1);
            double[] est = sh.missRatioCurve(distinct, distinct);
            for (int c = 1; c <= distinct; c++) {
                double misses = total[0];
                for (int[] r : sampledReuses) {
                    long scaled = Math.max(1, 1 + Math.round((r[1] - 1) / scale));
                    if (scaled > c) {
                        misses += weight[r[0]];
                    }
                }
                assertThat(est[c - 1]).as("salt %d, %d frames", k, c).isCloseTo(misses / n,
                        org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        assertThat(merged).as("salts whose heaviest strata were merged").isGreaterThan(0);
    }

    /**
     * A trace built so that the ordinal estimate's error is known from the sample: a pass over
     * {@code a} pages, a loop of {@code r} rounds over {@code b} other pages, the pass again. The
     * exact curve: D = a + b cold misses; a reuses at distance D; (r - 1) b reuses at distance b.
     * With X of the loop's pages sampled and Y of the pass's, every sampled pass reuse is at
     * distance X + Y = k in the sampled stack, scaled to exactly D, and every loop reuse at X,
     * scaled to sB = 1 + round((X - 1)(D - 1)/(k - 1)). Stratum 1 (ordinals 2 and 3) holds the
     * pass's reuses and the loop's first two: T_1 = a + 2b over n_1 = Y + 2X sampled; the strata
     * above hold only the loop's reuses, so with X >= 1 they count exactly (r - 3) b at sB. The
     * estimate's only errors are then stratum 1's mix, eps = (a + 2b) Y/(Y + 2X) - a at the
     * sizes from sB to D, and the loop's cliff at sB instead of b: a mean absolute error of
     * (|eps| (D - sB) + (r - 1) b |sB - b|) / (D N) at most. SHARDS_adj counts X/R loop pages and
     * Y/R pass pages instead, so its error also has (Y/R - a) twice at every size below D: on
     * most salts it is above that bound.
     */
    @Test
    void onALoopBetweenTwoPasses_theOrdinalErrorIsOnlyStratumOnesMixAndTheLoopsCliff() {
        int a = 10_000;
        int b = 1_000;
        int r = 16;
        int d = a + b;
        int[] ids = new int[2 * a + r * b];
        int i = 0;
        for (int p = 0; p < a; p++) {
            ids[i++] = p;
        }
        for (int round = 0; round < r; round++) {
            for (int p = 0; p < b; p++) {
                ids[i++] = a + p;
            }
        }
        for (int p = 0; p < a; p++) {
            ids[i++] = p;
        }
        long n = ids.length;
        StackDistances sd = new StackDistances();
        sd.ensureIds(d);
        for (int id : ids) {
            sd.access(id);
        }
        long[] exact = sd.missCurve(d);
        int salts = 0;
        int adjAbove = 0;
        double rate = 0.1;
        for (int k = 0; k < 60; k++) {
            Shards sh = new Shards(rate, k == 0 ? 0 : Shards.mix(k * 0x9E3779B97F4A7C15L));
            sh.ensureIds(d);
            long x = 0;
            long y = 0;
            for (int p = 0; p < d; p++) {
                if (sh.sampled(p * 4096L)) {
                    if (p < a) {
                        y++;
                    } else {
                        x++;
                    }
                }
            }
            for (int id : ids) {
                sh.access(id, id * 4096L);
            }
            assertThat(x).as("salt %d: loop pages sampled", k).isPositive();
            salts++;
            double eps = (double) (a + 2 * b) * y / (y + 2 * x) - a;
            long sB = Math.max(1, 1 + Math.round((x - 1) / ((double) (x + y - 1) / (d - 1))));
            assertThat(sB).isLessThanOrEqualTo(d);
            double bound = (Math.abs(eps) * (d - sB) + (double) (r - 1) * b * Math.abs(sB - b)) / ((double) d * n);
            assertThat(mae(sh.missRatioCurve(d, d), exact, n)).as("salt %d, X %d, Y %d", k, x, y)
                    .isLessThanOrEqualTo(bound + 1e-12);
            if (mae(sh.missRatioCurve(d, d, Shards.Estimator.ADJ), exact, n) > bound) {
                adjAbove++;
            }
        }
        assertThat(salts).isEqualTo(60);
        assertThat(adjAbove).as("salts on which SHARDS_adj's error is above the bound").isGreaterThan(salts / 2);
    }

    private static double mae(double[] est, long[] exact, long refs) {
        double sum = 0;
        for (int c = 0; c < exact.length; c++) {
            sum += Math.abs(est[c] - (double) exact[c] / refs);
        }
        return sum / exact.length;
    }

    /** A loop over {@code m} pages, replayed three times. */
    private static int[] loop(int m) {
        int[] refs = new int[3 * m];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = i % m;
        }
        return refs;
    }

    /** {@code refs} (ids below {@code m}, page numbers 1000 + id) through SHARDS at {@code rate} with the k-th salt. */
    private static Shards sampled(int[] refs, int m, double rate, int k) {
        Shards sh = new Shards(rate, Shards.mix(k * 0x9E3779B97F4A7C15L));
        sh.ensureIds(m);
        for (int id : refs) {
            sh.access(id, 1000 + id);
        }
        return sh;
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
