package io.vmsim.core.mrc;

import java.util.Arrays;

/**
 * An LRU miss-ratio curve from a spatially hashed sample of the pages: SHARDS with a fixed
 * sampling rate (C. A. Waldspurger, N. Park, A. Garthwaite, I. Ahmad, "Efficient MRC
 * Construction with SHARDS", FAST 2015), its references post-stratified by their ordinal.
 *
 * <p>A page is sampled when {@code hash(page) mod P < T} with {@code P = 2^24} and
 * {@code T = round(R * P)}; every reference to a sampled page goes through exact
 * {@link StackDistances}, and its distance is scaled: a distance of {@code d} in the sampled
 * stack is the page itself and {@code d - 1} other sampled pages. Given that the page is sampled,
 * {@code k - 1} of the other {@code D - 1} pages of the trace are ({@code k} sampled of {@code D}
 * distinct pages), so each other sampled page stands for {@code (D - 1)/(k - 1)} pages and the
 * estimate is {@code 1 + (d - 1)(D - 1)/(k - 1)}: the paper's {@code 1 + (d - 1)/R} with the
 * sample's actual share of the pages in place of the hash rate (the one-pass engine numbers every
 * page, so {@code D} is known exactly; on a loop over {@code D} pages every reuse lands at exactly
 * {@code D}). Without {@code D} (or with fewer than two sampled pages) the scale is {@code R}.
 *
 * <p>How many references each sampled reference stands for is where the estimators differ.
 * SHARDS_adj ({@link Estimator#ADJ}, the estimate before 2 December 2026) counts each as
 * {@code 1/R}: the miss ratio at N frames is the sampled references at a scaled distance above N,
 * plus the sampled cold misses, over {@code R} times all the references. A page with many
 * references then moves the whole curve below its distances by its references over {@code R N},
 * depending on whether the hash happened to take it. The estimate now
 * ({@link Estimator#ORDINAL}) post-stratifies by the reference's <em>ordinal</em> {@code j} (1
 * for a page's first reference, 2 for its second, ...): every reference, sampled or not, counts
 * one in the exact total {@code T_s} of its stratum {@code s = floor(log2 j)}; stratum 0 is
 * exactly the cold misses ({@code T_0 = D}). A sampled reference of stratum {@code s} stands for
 * {@code T_s / n_s} references, {@code n_s} the stratum's sampled references: the misses at N
 * frames are {@code T_0} plus, per stratum, {@code T_s / n_s} times its sampled references at a
 * scaled distance above N, over all the references. The strata are powers of two, fixed before
 * any trace was measured; nothing is tuned. A heavy page's later references fall in strata of
 * their own, shared only with the other heavy pages, so whether it is sampled changes which
 * distances those strata show, no longer how many references the curve counts. Memory beyond
 * SHARDS_adj: an int per distinct page (its references so far) and a histogram of sampled
 * distances per stratum (each as long as the largest distance sampled in it).
 */
public final class Shards {
    /** The modulus P of the sampling condition. */
    public static final int MODULUS = 1 << 24;
    /** Strata of reference ordinals: {@code floor(log2 j)} for {@code j} up to {@code 2^31 - 1}. */
    static final int STRATA = 31;

    /** How a sampled reference is weighed (see the class comment). */
    enum Estimator {
        /** Each sampled reference stands for {@code 1/R}: SHARDS_adj. */
        ADJ,
        /** The cold misses exact ({@code D}); each sampled reuse stands for {@code (N - D)} over the sampled reuses. */
        REUSE_RATIO,
        /** Post-stratified by reference ordinal, {@code T_s / n_s} per stratum. */
        ORDINAL
    }

    private final double rate;
    private final int threshold;
    private final long salt;
    private final StackDistances sampled = new StackDistances();
    /** References so far to each page id, sampled or not (saturating at {@code Integer.MAX_VALUE}). */
    private int[] seen = new int[0];
    /** All references by stratum of their ordinal, sampled or not ({@code T_s}). */
    private final long[] total = new long[STRATA];
    /** Sampled references by stratum ({@code n_s}). */
    private final long[] inSample = new long[STRATA];
    /**
     * Sampled reuses by stratum and distance in the sampled stack, unscaled ({@code raw[s][d]}
     * for distance d; stratum 0 holds only cold misses and has none).
     */
    private final long[][] raw = new long[STRATA][];
    private long refs;

    /** Samples at rate {@code rate}, in (0, 1]. */
    public Shards(double rate) {
        this(rate, 0);
    }

    /**
     * Samples at rate {@code rate}, in (0, 1], hashing each page number XOR {@code salt}: another
     * salt samples another set of pages (salt 0 is the default sample).
     */
    Shards(double rate, long salt) {
        this.salt = salt;
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("--sample must be a rate in (0, 1], got " + rate);
        }
        this.threshold = (int) Math.max(1, Math.round(rate * MODULUS));
        this.rate = (double) threshold / MODULUS;
        for (int s = 1; s < STRATA; s++) {
            raw[s] = new long[s < 4 ? 1024 : 64];
        }
    }

    /** The rate actually used, {@code T / P}. */
    public double rate() {
        return rate;
    }

    /** True if references to {@code page} are sampled. */
    public boolean sampled(long page) {
        return (mix(page ^ salt) >>> 40) < threshold;
    }

    /** Makes room for page ids below {@code distinct}. */
    public void ensureIds(int distinct) {
        sampled.ensureIds(distinct);
        if (distinct > seen.length) {
            seen = Arrays.copyOf(seen, Math.max(distinct, seen.length + (seen.length >> 1)));
        }
    }

    /** Records a reference to page {@code id} whose page number is {@code page}. */
    public void access(int id, long page) {
        refs++;
        int j = seen[id];
        if (j != Integer.MAX_VALUE) {
            seen[id] = ++j;
        }
        int s = 31 - Integer.numberOfLeadingZeros(j); // floor(log2 j): 0 for the first reference
        total[s]++;
        if ((mix(page ^ salt) >>> 40) >= threshold) {
            return;
        }
        inSample[s]++;
        int d = sampled.access(id); // 0 exactly when j == 1: a page is sampled on every reference or none
        if (d > 0) {
            long[] h = raw[s];
            if (d >= h.length) {
                h = Arrays.copyOf(h, Math.max(d + 1, 2 * h.length));
                raw[s] = h;
            }
            h[d]++;
        }
    }

    /** References seen, sampled or not. */
    public long refs() {
        return refs;
    }

    /** References sampled. */
    public long sampledRefs() {
        return sampled.refs();
    }

    /** Pages sampled so far (the sampled stack's cold misses). */
    public long sampledPages() {
        return sampled.cold();
    }

    /**
     * The factor a distance of the sampled stack is scaled by, beyond the page itself: the share
     * of the other pages the sample holds, {@code (k - 1)/(distinct - 1)} for {@code k} sampled
     * pages, or the hash rate when {@code distinct} is not known (0) or fewer than two pages were
     * sampled.
     */
    double scale(long distinct) {
        long k = sampled.cold();
        return distinct > 1 && k > 1 ? (double) (k - 1) / (distinct - 1) : rate;
    }

    /**
     * Estimated LRU miss ratio at every size {@code 1..sizes} (element {@code n-1} for n frames),
     * the trace having {@code distinct} pages in all (0 if unknown: the distances are then scaled
     * by the hash rate); post-stratified by reference ordinal ({@link Estimator#ORDINAL}).
     */
    public double[] missRatioCurve(int sizes, long distinct) {
        return missRatioCurve(sizes, distinct, Estimator.ORDINAL);
    }

    /** As {@link #missRatioCurve(int, long)} with the given estimator (the others kept for comparison). */
    double[] missRatioCurve(int sizes, long distinct, Estimator estimator) {
        double[] out = new double[sizes];
        if (refs == 0) {
            return out;
        }
        // weight[s]: references a sampled reference of stratum s stands for; cold: the estimated cold misses
        double[] weight = new double[STRATA];
        double cold;
        long sampledCold = inSample[0];
        switch (estimator) {
            case ADJ -> {
                Arrays.fill(weight, 1 / rate);
                cold = sampledCold / rate;
            }
            case REUSE_RATIO -> {
                long reuses = 0;
                for (int s = 1; s < STRATA; s++) {
                    reuses += inSample[s];
                }
                // with no sampled reuse the reuses are not counted (as SHARDS_adj counts unsampled references)
                Arrays.fill(weight, reuses == 0 ? 0 : (double) (refs - total[0]) / reuses);
                cold = total[0];
            }
            default -> {
                // A page that reaches ordinal 2^s passed through every lower stratum, so the strata a
                // sample holds references of are 1..top without a gap, and the only strata with
                // references but none sampled are those above top: the later references of pages
                // heavier than any sampled one. They are merged into top, the stratum nearest to them
                // and the one of the heaviest sampled pages, whose distances stand for theirs. With no
                // sampled reuse at all (top 0) the reuses are not counted, as SHARDS_adj counts
                // references it did not sample.
                int top = 0;
                for (int s = 1; s < STRATA; s++) {
                    if (inSample[s] > 0) {
                        top = s;
                    }
                }
                for (int s = 1; s <= top; s++) {
                    long t = total[s];
                    if (s == top) {
                        for (int u = top + 1; u < STRATA; u++) {
                            t += total[u];
                        }
                    }
                    weight[s] = (double) t / inSample[s];
                }
                cold = total[0];
            }
        }
        double scale = scale(distinct);
        // scaled[c] = weighted sampled reuses whose scaled distance is c, for c in 1..sizes; beyond: above
        double[] scaled = new double[sizes + 1];
        double above = 0;
        for (int s = 1; s < STRATA; s++) {
            long[] h = raw[s];
            double w = weight[s];
            if (inSample[s] == 0 || w == 0) {
                continue;
            }
            for (int d = 1; d < h.length; d++) {
                if (h[d] == 0) {
                    continue;
                }
                long c = Math.max(1, 1 + Math.round((d - 1) / scale));
                if (c > sizes) {
                    above += w * h[d];
                } else {
                    scaled[(int) c] += w * h[d];
                }
            }
        }
        for (int n = sizes; n >= 1; n--) {
            out[n - 1] = Math.min(1.0, (cold + above) / refs);
            above += scaled[n];
        }
        return out;
    }

    /** Murmur3's 64-bit finaliser: a well-mixed hash of a page number. */
    static long mix(long z) {
        z ^= z >>> 33;
        z *= 0xff51afd7ed558ccdL;
        z ^= z >>> 33;
        z *= 0xc4ceb9fe1a85ec53L;
        z ^= z >>> 33;
        return z;
    }
}
