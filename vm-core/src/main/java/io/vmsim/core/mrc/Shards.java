package io.vmsim.core.mrc;

import java.util.Arrays;

/**
 * An LRU miss-ratio curve from a spatially hashed sample of the pages: SHARDS with a fixed
 * sampling rate (C. A. Waldspurger, N. Park, A. Garthwaite, I. Ahmad, "Efficient MRC
 * Construction with SHARDS", FAST 2015), its references post-stratified by their reuse time.
 *
 * <p>A page is sampled when {@code hash(page) mod P < T} with {@code P = 2^24} and
 * {@code T = round(R * P)}; every reference to a sampled page goes through exact
 * {@link StackDistances}, and its distance is scaled: a distance of {@code d} in the sampled
 * stack is the page itself and {@code d - 1} other sampled pages. Given that the page is sampled,
 * {@code k - 1} of the other {@code D - 1} pages of the trace are ({@code k} sampled of {@code D}
 * distinct pages), so each other sampled page stands for {@code q^-1 = (D - 1)/(k - 1)} pages: the
 * paper's {@code 1 + (d - 1)/R} with the sample's actual share of the pages in place of the hash
 * rate (the one-pass engine numbers every page, so {@code D} is known exactly; on a loop over
 * {@code D} pages every reuse lands at exactly {@code D}). Without {@code D} (or with fewer than
 * two sampled pages) the scale is {@code R}.
 *
 * <p>How many references each sampled reference stands for is where the estimators differ.
 * SHARDS_adj ({@link Estimator#ADJ}, the estimate before 2 December 2026) counts each as
 * {@code 1/R}. The estimate now ({@link Estimator#REUSE_TIME}) post-stratifies by the
 * reference's <em>reuse time</em> {@code t} (references since the previous one to its page,
 * counting itself: 1 for an immediate re-reference): every reference, sampled or not, counts one
 * in the exact total {@code T_s} of its stratum, 0 for a page's first reference (so
 * {@code T_0 = D}, the cold misses) and {@code 1 + floor(log2 t)} for a reuse. A sampled reuse
 * of stratum {@code s} stands for {@code T_s / n_s} references, {@code n_s} the stratum's sampled
 * references; a stratum with references but none sampled is merged into the nearest one with
 * some (the lower on a tie); with no sampled reuse at all the reuses are not counted. A reuse's
 * stack distance is at most its reuse time, and pages of every weight whose reuses come as soon
 * share a stratum, so a heavy page that the hash did not take is stood for by reuses of about its
 * distances (post-stratification, stratification after the sample is drawn: W. G. Cochran,
 * <i>Sampling Techniques</i>, 3rd ed., 1977, chapter 5A; reuse time as the predictor of stack
 * distance, as in StatStack, D. Eklov and E. Hagersten, ISPASS 2010, and AET, X. Hu et al.,
 * USENIX ATC 2016). The misses at N frames are
 * {@code T_0} plus the weighed sampled reuses at a scaled distance above N, over all the
 * references. The strata (powers of two) were fixed before they were measured on CloudPhysics;
 * nothing is tuned. ({@link Placement#INTERVAL}, each sampled distance spread over the true
 * distances it stands for, was measured beside it and is kept for comparison only: it is worse
 * where most reuses are at short distances; docs/mrc.md, SHARDS at 1%.)
 *
 * <p>The estimate of 2 December 2026 post-stratified by reference <em>ordinal</em> instead
 * ({@link Estimator#ORDINAL}: stratum {@code floor(log2 j)} for a page's j-th reference, the
 * strata above the highest sampled one merged into it); it stays for comparison, counted only
 * when a {@link #Shards(double, long) salted} sample is asked for (the measurements of
 * docs/mrc.md). Memory: a long per distinct page (the reference count at its latest reference;
 * an int more per page when the ordinals are counted too) and a histogram of sampled distances
 * per stratum (each as long as the largest distance sampled in it).
 */
public final class Shards {
    /** The modulus P of the sampling condition. */
    public static final int MODULUS = 1 << 24;
    /** Strata of reference ordinals: {@code floor(log2 j)} for {@code j} up to {@code 2^31 - 1}. */
    static final int STRATA = 31;

    /** How a sampled reference is weighed and placed (see the class comment). */
    enum Estimator {
        /** Each sampled reference stands for {@code 1/R}: SHARDS_adj. */
        ADJ(Weighting.ADJ, Placement.POINT),
        /** The cold misses exact ({@code D}); each sampled reuse stands for {@code (N - D)} over the sampled reuses. */
        REUSE_RATIO(Weighting.REUSE_RATIO, Placement.POINT),
        /** Post-stratified by reference ordinal, {@code T_s / n_s} per stratum (the estimate of 2 December 2026). */
        ORDINAL(Weighting.ORDINAL, Placement.POINT),
        /** {@link #ORDINAL}, each sampled distance spread over the true distances it stands for. */
        ORDINAL_INTERVAL(Weighting.ORDINAL, Placement.INTERVAL),
        /** Post-stratified by reuse time, each sampled distance at its point: {@code --sample}. */
        REUSE_TIME(Weighting.REUSE_TIME, Placement.POINT),
        /** Post-stratified by reuse time, each sampled distance spread over the true distances it stands for. */
        REUSE_TIME_INTERVAL(Weighting.REUSE_TIME, Placement.INTERVAL);

        final Weighting weighting;
        final Placement placement;

        Estimator(Weighting weighting, Placement placement) {
            this.weighting = weighting;
            this.placement = placement;
        }
    }

    /** How many references a sampled reference stands for. */
    enum Weighting { ADJ, REUSE_RATIO, ORDINAL, REUSE_TIME }

    /** Where a sampled distance puts its references among the true distances. */
    enum Placement {
        /** At {@code 1 + (d - 1)/q}, rounded. */
        POINT,
        /**
         * Spread evenly over the true distances x whose expected sampled distance
         * {@code 1 + (x - 1) q} rounds to d: {@code [1 + (d - 1.5)/q, 1 + (d - 0.5)/q)}.
         */
        INTERVAL
    }

    private final double rate;
    private final int threshold;
    private final long salt;
    private final StackDistances sampled = new StackDistances();
    /**
     * References so far to each page id, sampled or not (saturating at {@code Integer.MAX_VALUE});
     * null unless the ordinal strata are counted (for comparison).
     */
    private int[] seen;
    /** All references by stratum of their ordinal, sampled or not ({@code T_s}). */
    private final long[] total = new long[STRATA];
    /** Sampled references by stratum ({@code n_s}). */
    private final long[] inSample = new long[STRATA];
    /**
     * Sampled reuses by stratum and distance in the sampled stack, unscaled ({@code raw[s][d]}
     * for distance d; stratum 0 holds only cold misses and has none).
     */
    private final long[][] raw = new long[STRATA][];
    /** Strata of reuse times: cold (0), then {@code 1 + floor(log2 t)} for a reuse time {@code t >= 1}. */
    static final int TIME_STRATA = 64;
    /** The reference count at each page id's latest reference (0: none yet). */
    private long[] last = new long[0];
    /** All references by reuse-time stratum, sampled or not. */
    private final long[] timeTotal = new long[TIME_STRATA];
    /** Sampled references by reuse-time stratum. */
    private final long[] timeInSample = new long[TIME_STRATA];
    /** Sampled reuses by reuse-time stratum and distance in the sampled stack, unscaled. */
    private final long[][] timeRaw = new long[TIME_STRATA][];
    private long refs;

    /** Samples at rate {@code rate}, in (0, 1]. */
    public Shards(double rate) {
        this(rate, 0, false);
    }

    /**
     * Samples at rate {@code rate}, in (0, 1], hashing each page number XOR {@code salt}: another
     * salt samples another set of pages (salt 0 is the default sample); counts the ordinal strata
     * too, so that every {@link Estimator} can be compared on the same sample.
     */
    Shards(double rate, long salt) {
        this(rate, salt, true);
    }

    private Shards(double rate, long salt, boolean ordinals) {
        this.salt = salt;
        this.seen = ordinals ? new int[0] : null;
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("--sample must be a rate in (0, 1], got " + rate);
        }
        this.threshold = (int) Math.max(1, Math.round(rate * MODULUS));
        this.rate = (double) threshold / MODULUS;
        for (int s = 1; ordinals && s < STRATA; s++) {
            raw[s] = new long[s < 4 ? 1024 : 64];
        }
        for (int s = 1; s < TIME_STRATA; s++) {
            timeRaw[s] = new long[64];
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
        if (seen != null && distinct > seen.length) {
            seen = Arrays.copyOf(seen, Math.max(distinct, seen.length + (seen.length >> 1)));
        }
        if (distinct > last.length) {
            last = Arrays.copyOf(last, Math.max(distinct, last.length + (last.length >> 1)));
        }
    }

    /** Records a reference to page {@code id} whose page number is {@code page}. */
    public void access(int id, long page) {
        refs++;
        long prev = last[id];
        last[id] = refs;
        int ts = prev == 0 ? 0 : 64 - Long.numberOfLeadingZeros(refs - prev); // 0 cold, else 1 + floor(log2 t)
        timeTotal[ts]++;
        int s = -1;
        if (seen != null) {
            int j = seen[id];
            if (j != Integer.MAX_VALUE) {
                seen[id] = ++j;
            }
            s = 31 - Integer.numberOfLeadingZeros(j); // floor(log2 j): 0 for the first reference
            total[s]++;
        }
        if ((mix(page ^ salt) >>> 40) >= threshold) {
            return;
        }
        timeInSample[ts]++;
        if (s >= 0) {
            inSample[s]++;
        }
        int d = sampled.access(id); // 0 exactly when ts == 0: a page is sampled on every reference or none
        if (d > 0) {
            count(timeRaw, ts, d);
            if (s >= 0) {
                count(raw, s, d);
            }
        }
    }

    private static void count(long[][] hist, int s, int d) {
        long[] h = hist[s];
        if (d >= h.length) {
            h = Arrays.copyOf(h, Math.max(d + 1, 2 * h.length));
            hist[s] = h;
        }
        h[d]++;
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
     * by the hash rate); post-stratified by reuse time ({@link Estimator#REUSE_TIME}).
     */
    public double[] missRatioCurve(int sizes, long distinct) {
        return missRatioCurve(sizes, distinct, Estimator.REUSE_TIME);
    }

    /** As {@link #missRatioCurve(int, long)} with the given estimator (the others kept for comparison). */
    double[] missRatioCurve(int sizes, long distinct, Estimator estimator) {
        double[] at = new double[sizes + 1];
        double[] g = weighted(estimator.weighting);
        double scale = scale(distinct);
        double above = estimator.placement == Placement.POINT ? placePoints(g, scale, at, sizes)
                : placeIntervals(g, scale, at, sizes);
        return curve(at, above, cold(estimator.weighting), sizes);
    }

    /**
     * The miss ratio at every size {@code 1..sizes} from the reuses placed at each true distance
     * ({@code at[x]}, x from 1 to sizes), those placed beyond {@code sizes} and the cold misses.
     */
    double[] curve(double[] at, double above, double cold, int sizes) {
        double[] out = new double[sizes];
        if (refs == 0) {
            return out;
        }
        for (int n = sizes; n >= 1; n--) {
            out[n - 1] = Math.min(1.0, (cold + above) / refs);
            above += at[n];
        }
        return out;
    }

    /** The cold misses: the sampled ones over R for SHARDS_adj, else exact. */
    double cold(Weighting weighting) {
        return weighting == Weighting.ADJ ? timeInSample[0] / rate : timeTotal[0];
    }

    /**
     * The sampled reuses by distance in the sampled stack, each weighed by the references it
     * stands for: {@code g[d]} for d from 1.
     */
    double[] weighted(Weighting weighting) {
        double[] weight = weights(weighting);
        long[][] hist = weighting == Weighting.ORDINAL ? raw : timeRaw;
        int len = 1;
        for (int s = 1; s < hist.length; s++) {
            if (weight[s] != 0) {
                len = Math.max(len, hist[s].length);
            }
        }
        double[] g = new double[len];
        for (int s = 1; s < hist.length; s++) {
            double w = weight[s];
            if (w == 0) {
                continue;
            }
            long[] h = hist[s];
            for (int d = 1; d < h.length; d++) {
                g[d] += w * h[d];
            }
        }
        return g;
    }

    /** The references a sampled reuse of each stratum stands for (0 for a stratum without sampled reuses). */
    private double[] weights(Weighting weighting) {
        if (weighting == Weighting.ORDINAL && seen == null) {
            throw new IllegalStateException("the ordinal strata are counted only in a salted sample");
        }
        double[] weight = new double[Math.max(STRATA, TIME_STRATA)];
        switch (weighting) {
            case ADJ -> Arrays.fill(weight, 1 / rate);
            case REUSE_RATIO -> {
                long reuses = 0;
                for (int s = 1; s < TIME_STRATA; s++) {
                    reuses += timeInSample[s];
                }
                // with no sampled reuse the reuses are not counted (as SHARDS_adj counts unsampled references)
                Arrays.fill(weight, reuses == 0 ? 0 : (double) (refs - timeTotal[0]) / reuses);
            }
            case ORDINAL -> {
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
            }
            case REUSE_TIME -> {
                // Reuse-time strata can have gaps: a stratum with references but none sampled is merged
                // into the nearest one with some (the lower on a tie). No sampled reuse: not counted.
                long[] t = new long[TIME_STRATA];
                for (int s = 1; s < TIME_STRATA; s++) {
                    if (timeTotal[s] == 0) {
                        continue;
                    }
                    int to = -1;
                    for (int dist = 0; dist < TIME_STRATA && to < 0; dist++) {
                        if (s - dist >= 1 && timeInSample[s - dist] > 0) {
                            to = s - dist;
                        } else if (s + dist < TIME_STRATA && timeInSample[s + dist] > 0) {
                            to = s + dist;
                        }
                    }
                    if (to >= 0) {
                        t[to] += timeTotal[s];
                    }
                }
                for (int s = 1; s < TIME_STRATA; s++) {
                    if (timeInSample[s] > 0) {
                        weight[s] = (double) t[s] / timeInSample[s];
                    }
                }
            }
            default -> throw new IllegalArgumentException(String.valueOf(weighting));
        }
        return weight;
    }

    /** The mean weight of a sampled reuse, weighed by itself: {@code sum w^2 n / sum w n} (a weighted count's variance per unit). */
    double meanWeight(Weighting weighting) {
        double[] weight = weights(weighting);
        long[] n = weighting == Weighting.ORDINAL ? inSample : timeInSample;
        double sw = 0;
        double sw2 = 0;
        for (int s = 1; s < n.length; s++) {
            sw += weight[s] * n[s];
            sw2 += weight[s] * weight[s] * n[s];
        }
        return sw == 0 ? 1 : sw2 / sw;
    }

    /** Each g[d] at {@code 1 + round((d - 1)/q)}; returns the mass beyond {@code sizes}. */
    private static double placePoints(double[] g, double scale, double[] at, int sizes) {
        double above = 0;
        for (int d = 1; d < g.length; d++) {
            if (g[d] == 0) {
                continue;
            }
            long c = Math.max(1, 1 + Math.round((d - 1) / scale));
            if (c > sizes) {
                above += g[d];
            } else {
                at[(int) c] += g[d];
            }
        }
        return above;
    }

    /**
     * Each g[d] spread evenly over the integers x with {@code d - 1/2 <= 1 + (x - 1) q < d + 1/2}
     * (at least x = d's point when the interval holds no integer); returns the mass beyond {@code sizes}.
     */
    private static double placeIntervals(double[] g, double scale, double[] at, int sizes) {
        double above = 0;
        for (int d = 1; d < g.length; d++) {
            if (g[d] == 0) {
                continue;
            }
            long lo = Math.max(1, (long) Math.ceil(1 + (d - 1.5) / scale));
            long hi = (long) Math.ceil(1 + (d - 0.5) / scale) - 1;
            if (hi < lo) {
                lo = hi = Math.max(1, 1 + Math.round((d - 1) / scale));
            }
            double each = g[d] / (hi - lo + 1);
            for (long x = lo; x <= hi; x++) {
                if (x > sizes) {
                    above += each * (hi - x + 1);
                    break;
                }
                at[(int) x] += each;
            }
        }
        return above;
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
