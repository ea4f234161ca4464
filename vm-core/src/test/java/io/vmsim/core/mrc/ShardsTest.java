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
            // the hash rate as the scale; each sampled distance at its point
            double[] est = sh.missRatioCurve(sizes, 0, Shards.Estimator.REUSE_TIME);
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
            assertThat(cliff(sh.missRatioCurve(sizes, m, Shards.Estimator.REUSE_TIME)))
                    .as("salt %d, %d pages sampled", k, sh.sampledPages()).isEqualTo(exactCliff);
            // spread over the true distances a sampled distance stands for: the cliff within half a sampled page of it
            double[] spread = sh.missRatioCurve(sizes, m, Shards.Estimator.REUSE_TIME_INTERVAL);
            double q = sh.scale(m);
            assertThat(spread[(int) Math.floor(exactCliff - 0.5 / q) - 2]).isEqualTo(spread[0]);
            assertThat(cliff(spread)).isBetween(exactCliff, (int) Math.ceil(exactCliff + 0.5 / q));
            if (cliff(sh.missRatioCurve(sizes, 0, Shards.Estimator.REUSE_TIME)) != exactCliff) {
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

    /** One sample's record, reference by reference: what the brute-force estimates are computed from. */
    private record SampleRecord(long[] total, long[] inSample, java.util.List<int[]> sampledReuses, int distinct) {
    }

    /**
     * Feeds {@code ids} (page {@code base + step * id}) to {@code sh} and records, per stratum
     * ({@code stratum[i]} of reference i), every reference ({@code total}) and the sampled ones
     * ({@code inSample}), and each sampled reuse as {stratum, distance in an LRU stack of the
     * sampled pages}, by a list search.
     */
    private static SampleRecord record(Shards sh, int[] ids, int[] stratum, long base, long step, int strata) {
        long[] total = new long[strata];
        long[] inSample = new long[strata];
        java.util.List<int[]> sampledReuses = new java.util.ArrayList<>();
        java.util.LinkedList<Integer> stack = new java.util.LinkedList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            long page = base + step * id;
            sh.access(id, page);
            seen.add(id);
            int s = stratum[i];
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
                assertThat(s).as("a sampled page's first reference is in stratum 0, the cold misses").isZero();
            }
            stack.addFirst(id);
        }
        return new SampleRecord(total, inSample, sampledReuses, seen.size());
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
        int[] stratum = new int[n]; // floor(log2) of the reference's ordinal within its page
        int[] ordinal = new int[pagesInAll];
        for (int i = 0; i < n; i++) {
            int j = ++ordinal[ids[i]];
            while ((2L << stratum[i]) <= j) {
                stratum[i]++;
            }
        }
        int merged = 0;
        for (int k = 0; k < 40; k++) {
            Shards sh = new Shards(0.05, Shards.mix(k * 0x9E3779B97F4A7C15L + 1));
            sh.ensureIds(pagesInAll);
            SampleRecord rec = record(sh, ids, stratum, 7_000_000L, 3L, 40);
            long[] total = rec.total();
            long[] inSample = rec.inSample();
            java.util.List<int[]> sampledReuses = rec.sampledReuses();
            int distinct = rec.distinct();
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
            double[] est = sh.missRatioCurve(distinct, distinct, Shards.Estimator.ORDINAL);
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
            assertThat(mae(sh.missRatioCurve(d, d, Shards.Estimator.ORDINAL), exact, n)).as("salt %d, X %d, Y %d", k, x, y)
                    .isLessThanOrEqualTo(bound + 1e-12);
            if (mae(sh.missRatioCurve(d, d, Shards.Estimator.ADJ), exact, n) > bound) {
                adjAbove++;
            }
        }
        assertThat(salts).isEqualTo(60);
        assertThat(adjAbove).as("salts on which SHARDS_adj's error is above the bound").isGreaterThan(salts / 2);
    }

    /**
     * The estimate {@code --sample} gives against one computed from the whole record of every
     * reference: its reuse time t (references since its page's previous one, found by a scan
     * back), its stratum (0 for a first reference, else 1 + floor(log2 t) by a loop), whether its
     * page is sampled, and its distance in a brute-force LRU stack of the sampled pages; written
     * out as docs/mrc.md states it: each stratum with references but none sampled merged into the
     * nearest sampled one (the lower on a tie), a sampled reuse of stratum s standing for T_s / n_s
     * references at the scaled distance max(1, 1 + round((d - 1)/q)) (and, for the placement kept
     * for comparison, spread evenly over the integers x with d - 1/2 <= 1 + (x - 1) q < d + 1/2);
     * the cold misses D plus the placed reuses above N, over all the references. Bursts of a few pages at a fixed short gap, otherwise rare, leave
     * strata without a sampled reference on some salts (checked to happen).
     */
    @Test
    void theReuseTimeEstimate_isTheOneComputedFromEveryReferencesRecord() {
        java.util.Random rnd = new java.util.Random(17);
        int pagesInAll = 2000;
        int n = 30_000;
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            double u = rnd.nextDouble();
            ids[i] = u < 0.3 ? rnd.nextInt(4) : u < 0.35 && i >= 37 ? ids[i - 37]
                    : 4 + (int) ((pagesInAll - 4) * Math.pow(rnd.nextDouble(), 2.0));
        }
        int[] stratum = new int[n];
        for (int i = 0; i < n; i++) {
            int prev = i - 1;
            while (prev >= 0 && ids[prev] != ids[i]) {
                prev--;
            }
            if (prev >= 0) {
                long t = i - prev;
                int s = 1;
                while ((2L << (s - 1)) <= t) {
                    s++;
                }
                stratum[i] = s;
            }
        }
        int gaps = 0;
        for (int k = 0; k < 30; k++) {
            Shards sh = new Shards(0.05, Shards.mix(k * 0x9E3779B97F4A7C15L + 3));
            sh.ensureIds(pagesInAll);
            SampleRecord rec = record(sh, ids, stratum, 9_000_000L, 5L, 70);
            long[] total = rec.total();
            long[] inSample = rec.inSample();
            java.util.List<int[]> sampledReuses = rec.sampledReuses();
            int distinct = rec.distinct();
            if (inSample[0] < 2) {
                continue;
            }
            long[] merged = new long[70];
            for (int s = 1; s < 70; s++) {
                if (total[s] == 0) {
                    continue;
                }
                if (inSample[s] == 0) {
                    gaps++;
                }
                for (int dist = 0; dist < 70; dist++) {
                    if (s - dist >= 1 && inSample[s - dist] > 0) {
                        merged[s - dist] += total[s];
                        break;
                    }
                    if (s + dist < 70 && inSample[s + dist] > 0) {
                        merged[s + dist] += total[s];
                        break;
                    }
                }
            }
            double q = (double) (inSample[0] - 1) / (distinct - 1);
            double[] placed = new double[distinct + 2]; // placed[x]: weighed reuses at true distance x (distinct + 1: beyond)
            double[] point = new double[distinct + 2];
            for (int[] r : sampledReuses) {
                double w = (double) merged[r[0]] / inSample[r[0]];
                point[(int) Math.min(distinct + 1, Math.max(1, 1 + Math.round((r[1] - 1) / q)))] += w;
                java.util.List<Integer> xs = new java.util.ArrayList<>();
                for (int x = 1; 1 + (x - 1) * q < r[1] + 0.5; x++) {
                    if (1 + (x - 1) * q >= r[1] - 0.5) {
                        xs.add(x);
                    }
                }
                assertThat(xs).isNotEmpty();
                for (int x : xs) {
                    placed[Math.min(x, distinct + 1)] += w / xs.size();
                }
            }
            double[] est = sh.missRatioCurve(distinct, distinct);
            double[] spread = sh.missRatioCurve(distinct, distinct, Shards.Estimator.REUSE_TIME_INTERVAL);
            for (int c = 1; c <= distinct; c++) {
                double misses = total[0];
                double spreadMisses = total[0];
                for (int x = c + 1; x <= distinct + 1; x++) {
                    misses += point[x];
                    spreadMisses += placed[x];
                }
                assertThat(est[c - 1]).as("salt %d, %d frames", k, c).isCloseTo(Math.min(1.0, misses / n),
                        org.assertj.core.data.Offset.offset(1e-9));
                assertThat(spread[c - 1]).as("spread, salt %d, %d frames", k, c)
                        .isCloseTo(Math.min(1.0, spreadMisses / n), org.assertj.core.data.Offset.offset(1e-9));
            }
        }
        assertThat(gaps).as("strata with references but none sampled, over the salts").isGreaterThan(0);
    }

    /**
     * A trace built so that the reuse-time strata's error is known from the construction, and
     * the ordinal strata's is not within it: steps p = 0, 1, ... each reference, in order, page
     * p mod B of a loop, heavy page p mod H, and a burst page: within each block of 2H steps the
     * first H steps take H burst pages in turn and the next H steps take them again, the B/(2H)
     * blocks of a round of B steps using B/2 burst pages, the same ones every round. Each
     * reference then has one of four reuse times: a heavy page's or a burst page's second reference
     * in a block, 3H, at a stack distance of exactly 3H (H loop pages, the other H - 1 heavy ones
     * and H burst pages between); a loop page, 3B, at exactly D = B + H + B/2 (every other page
     * between); a burst page's first reference in a block after the first round, 3(B - H), at
     * D - H (all but H loop pages between). With B = 2,000 and H = 4, 3B and 3(B - H) share a
     * stratum (4,096 to 8,191) and 3H has one of its own (8 to 15), both with burst pages sampled
     * on every salt: each stratum's count is exact. What is left is where each sampled distance
     * is placed: a short reuse's, with d - 1 of the other 3H - 1 pages sampled, at
     * 1 + round((d - 1)/q), at most 3H + (3H - 1/2)/q sizes from its own; a long one's at most
     * H/q + 1/(2q) + 1 from its own (at D if a loop page's; if a burst page's, H loop pages, z of
     * them sampled, are not between, so it is put at D - round(z/q) against D - H). The same
     * bound holds with each sampled distance spread over [1 + (d - 3/2)/q, 1 + (d - 1/2)/q). The mean absolute error is at most (short reuses times the
     * first + long reuses times the second) / (D N). A heavy page has B/H references a round, far
     * more than any other, so when the hash takes none of the 4 (about two salts in three at a
     * rate of 0.1) the ordinal strata give its later references the distances of the heaviest
     * sampled pages, burst pages whose reuses are half long: the ordinal estimate's error is
     * then far above the bound.
     */
    @Test
    void heavyPagesBesideBurstsAtTheSameReuseTime_theErrorIsOnlyWhereEachSampledDistanceIsPlaced() {
        int b = 2000;
        int h = 4;
        int rounds = 10;
        int bursts = b / 2;
        int d = b + h + bursts;
        int steps = b * rounds;
        int[] ids = new int[3 * steps];
        int i = 0;
        for (int p = 0; p < steps; p++) {
            int inRound = p % b;
            ids[i++] = p % b; // loop pages 0..B-1
            ids[i++] = b + p % h; // heavy pages
            ids[i++] = b + h + (inRound / (2 * h)) * h + inRound % h; // burst pages
        }
        long n = ids.length;
        StackDistances sd = new StackDistances();
        sd.ensureIds(d);
        long shortReuses = 0;
        long longReuses = 0;
        int[] lastAt = new int[d];
        java.util.Arrays.fill(lastAt, -1);
        for (int r = 0; r < ids.length; r++) {
            int id = ids[r];
            int dist = sd.access(id);
            if (lastAt[id] >= 0) {
                int t = r - lastAt[id];
                // the construction's reuse times and distances, as claimed
                if (t == 3 * h) {
                    assertThat(dist).isEqualTo(3 * h);
                    shortReuses++;
                } else if (t == 3 * b) {
                    assertThat(dist).isEqualTo(d);
                    longReuses++;
                } else {
                    assertThat(t).isEqualTo(3 * (b - h));
                    assertThat(dist).isEqualTo(d - h);
                    longReuses++;
                }
            }
            lastAt[id] = r;
        }
        assertThat(sd.cold()).isEqualTo(d);
        long[] exact = sd.missCurve(d);
        int salts = 0;
        int ordinalAbove = 0;
        for (int k = 0; k < 40; k++) {
            Shards sh = new Shards(0.1, k == 0 ? 0 : Shards.mix(k * 0x9E3779B97F4A7C15L + 5));
            sh.ensureIds(d);
            for (int id : ids) {
                sh.access(id, id * 4096L);
            }
            double q = sh.scale(d);
            assertThat(sh.sampledPages()).isGreaterThan(100);
            salts++;
            double shortOff = 3 * h + (3 * h - 0.5) / q;
            double longOff = h / q + 0.5 / q + 1;
            double bound = (shortReuses * shortOff + longReuses * longOff) / ((double) d * n);
            assertThat(mae(sh.missRatioCurve(d, d), exact, n)).as("salt %d", k).isLessThanOrEqualTo(bound);
            assertThat(mae(sh.missRatioCurve(d, d, Shards.Estimator.REUSE_TIME_INTERVAL), exact, n)).as("salt %d", k)
                    .isLessThanOrEqualTo(bound);
            if (mae(sh.missRatioCurve(d, d, Shards.Estimator.ORDINAL), exact, n) > bound) {
                ordinalAbove++;
            }
        }
        assertThat(salts).isEqualTo(40);
        assertThat(ordinalAbove).as("salts on which the ordinal estimate's error is above the bound").isGreaterThan(salts / 3);
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
