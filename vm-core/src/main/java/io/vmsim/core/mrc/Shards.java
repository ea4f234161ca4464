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
        ADJ(Weighting.ADJ, Placement.POINT),
        /** The cold misses exact ({@code D}); each sampled reuse stands for {@code (N - D)} over the sampled reuses. */
        REUSE_RATIO(Weighting.REUSE_RATIO, Placement.POINT),
        /** Post-stratified by reference ordinal, {@code T_s / n_s} per stratum. */
        ORDINAL(Weighting.ORDINAL, Placement.POINT),
        /** {@link #ORDINAL}, each sampled distance spread over the true distances it stands for. */
        ORDINAL_INTERVAL(Weighting.ORDINAL, Placement.INTERVAL),
        /** {@link #ORDINAL}, the sampled distances deconvolved of the sampling's binomial kernel. */
        ORDINAL_DECONVOLVED(Weighting.ORDINAL, Placement.DECONVOLVED),
        /** Post-stratified by reuse time, {@code 1 + floor(log2 t)}. */
        REUSE_TIME(Weighting.REUSE_TIME, Placement.POINT),
        /** {@link #REUSE_TIME} with {@link #ORDINAL_INTERVAL}'s placement. */
        REUSE_TIME_INTERVAL(Weighting.REUSE_TIME, Placement.INTERVAL),
        /** {@link #REUSE_TIME} with {@link #ORDINAL_DECONVOLVED}'s placement. */
        REUSE_TIME_DECONVOLVED(Weighting.REUSE_TIME, Placement.DECONVOLVED);

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
        INTERVAL,
        /** Richardson-Lucy deconvolution of the Binomial(x - 1, q) kernel, stopped by the discrepancy principle. */
        DECONVOLVED
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
        if (distinct > seen.length) {
            seen = Arrays.copyOf(seen, Math.max(distinct, seen.length + (seen.length >> 1)));
        }
        if (distinct > last.length) {
            last = Arrays.copyOf(last, Math.max(distinct, last.length + (last.length >> 1)));
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
        long prev = last[id];
        last[id] = refs;
        int ts = prev == 0 ? 0 : 64 - Long.numberOfLeadingZeros(refs - prev); // 1 + floor(log2 t)
        timeTotal[ts]++;
        if ((mix(page ^ salt) >>> 40) >= threshold) {
            return;
        }
        inSample[s]++;
        timeInSample[ts]++;
        int d = sampled.access(id); // 0 exactly when j == 1: a page is sampled on every reference or none
        if (d > 0) {
            long[] h = raw[s];
            if (d >= h.length) {
                h = Arrays.copyOf(h, Math.max(d + 1, 2 * h.length));
                raw[s] = h;
            }
            h[d]++;
            h = timeRaw[ts];
            if (d >= h.length) {
                h = Arrays.copyOf(h, Math.max(d + 1, 2 * h.length));
                timeRaw[ts] = h;
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
        double cold = estimator.weighting == Weighting.ADJ ? inSample[0] / rate : total[0];
        double[] g = weighted(estimator.weighting);
        double scale = scale(distinct);
        // misses[c] for c in 1..sizes: weighted sampled reuses placed at true distance c; above: beyond sizes
        double[] at = new double[sizes + 2];
        double above = switch (estimator.placement) {
            case POINT -> placePoints(g, scale, at, sizes);
            case INTERVAL -> placeIntervals(g, scale, at, sizes);
            case DECONVOLVED -> deconvolve(g, scale, distinct, at, sizes, meanWeight(estimator.weighting));
        };
        for (int n = sizes; n >= 1; n--) {
            out[n - 1] = Math.min(1.0, (cold + above) / refs);
            above += at[n];
        }
        return out;
    }

    /**
     * The sampled reuses by distance in the sampled stack, each weighed by the references it
     * stands for: {@code g[d]} for d from 1.
     */
    private double[] weighted(Weighting weighting) {
        double[] weight = weights(weighting);
        long[][] hist = weighting == Weighting.REUSE_TIME ? timeRaw : raw;
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
        double[] weight = new double[Math.max(STRATA, TIME_STRATA)];
        switch (weighting) {
            case ADJ -> Arrays.fill(weight, 1 / rate);
            case REUSE_RATIO -> {
                long reuses = 0;
                for (int s = 1; s < STRATA; s++) {
                    reuses += inSample[s];
                }
                // with no sampled reuse the reuses are not counted (as SHARDS_adj counts unsampled references)
                Arrays.fill(weight, reuses == 0 ? 0 : (double) (refs - total[0]) / reuses);
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
    private double meanWeight(Weighting weighting) {
        double[] weight = weights(weighting);
        long[] n = weighting == Weighting.REUSE_TIME ? timeInSample : inSample;
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

    /**
     * Richardson-Lucy (EM for Poisson counts) deconvolution of the weighted sampled distances: a
     * reuse at true distance x has {@code d - 1 ~ Binomial(x - 1, q)} other sampled pages above
     * it, so in expectation {@code g = K f} for the true distances' distribution f. f lives on
     * cells of x whose expected sampled distance {@code u = 1 + (x - 1) q} spans
     * {@code max(1/4, sqrt(u)/4)} (a quarter of the kernel's width or of one sampled distance),
     * from x = 1 to the distinct pages; each cell's kernel is the one at its middle. The
     * iteration starts flat in x and stops at the discrepancy principle: as soon as the Pearson
     * statistic {@code sum (g - Kf)^2 / (w Kf)} over the observed distances (w the weighted
     * counts' variance per count, {@link #meanWeight}) is at most their number, or after 2,000
     * iterations. Each cell's mass is then spread evenly over its integers.
     */
    private static double deconvolve(double[] g, double q, long distinct, double[] at, int sizes, double w) {
        int dm = g.length - 1;
        while (dm > 0 && g[dm] == 0) {
            dm--;
        }
        if (dm == 0) {
            return 0;
        }
        if (q >= 1) {
            return placePoints(g, q, at, sizes);
        }
        long xMax = distinct > 0 ? distinct : (long) Math.ceil(1 + (dm + 6 * Math.sqrt(dm)) / q);
        // cells [xLo, xHi] of true distances
        java.util.List<long[]> cells = new java.util.ArrayList<>();
        long x = 1;
        while (x <= xMax) {
            double u = 1 + (x - 1) * q;
            double width = Math.max(0.25, Math.sqrt(u) / 4) / q;
            long hi = Math.min(xMax, Math.max(x, x + (long) Math.floor(width) - 1));
            cells.add(new long[] {x, hi});
            x = hi + 1;
        }
        int m = cells.size();
        int[] from = new int[m];
        double[][] kern = new double[m][];
        for (int i = 0; i < m; i++) {
            long[] c = cells.get(i);
            long n = (c[0] + c[1]) / 2 - 1; // other pages above a reuse at the cell's middle
            double[] pmf = binomial(n, q);
            // kernel over d = 1 + k, truncated to the observed range 1..dm (mass beyond is never observed)
            int lo = (int) Math.min(dm, (long) pmf[0]) + 1; // pmf[0] holds the first k
            from[i] = lo;
            int len = Math.max(0, Math.min(pmf.length - 1, dm - lo + 1));
            kern[i] = Arrays.copyOfRange(pmf, 1, 1 + len);
        }
        double total = 0;
        for (int d = 1; d <= dm; d++) {
            total += g[d];
        }
        double[] f = new double[m];
        for (int i = 0; i < m; i++) {
            long[] c = cells.get(i);
            f[i] = total * (c[1] - c[0] + 1) / xMax;
        }
        double[] mu = new double[dm + 1];
        double[] ratio = new double[dm + 1];
        int observed = 0;
        for (int d = 1; d <= dm; d++) {
            observed += g[d] > 0 ? 1 : 0;
        }
        for (int it = 0; it < 2000; it++) {
            Arrays.fill(mu, 0);
            for (int i = 0; i < m; i++) {
                double[] k = kern[i];
                for (int j = 0; j < k.length; j++) {
                    mu[from[i] + j] += k[j] * f[i];
                }
            }
            double chi2 = 0;
            for (int d = 1; d <= dm; d++) {
                if (mu[d] > 0) {
                    double e = g[d] - mu[d];
                    chi2 += e * e / (w * mu[d]);
                    ratio[d] = g[d] / mu[d];
                } else {
                    ratio[d] = 0;
                }
            }
            if (chi2 <= observed) {
                break;
            }
            for (int i = 0; i < m; i++) {
                double[] k = kern[i];
                double num = 0;
                double den = 0;
                for (int j = 0; j < k.length; j++) {
                    num += k[j] * ratio[from[i] + j];
                    den += k[j];
                }
                f[i] = den > 0 ? f[i] * num / den : 0;
            }
        }
        double above = 0;
        for (int i = 0; i < m; i++) {
            long[] c = cells.get(i);
            double each = f[i] / (c[1] - c[0] + 1);
            for (long y = c[0]; y <= c[1]; y++) {
                if (y > sizes) {
                    above += each * (c[1] - y + 1);
                    break;
                }
                at[(int) y] += each;
            }
        }
        return above;
    }

    /**
     * The Binomial(n, q) probabilities where they are above 1e-12 of the mode's: element 0 holds
     * the first k, elements 1.. the probabilities of k, k + 1, ... (normalised).
     */
    static double[] binomial(long n, double q) {
        if (n <= 0) {
            return new double[] {0, 1};
        }
        long mode = (long) Math.floor((n + 1) * q);
        mode = Math.min(n, mode);
        double odds = q / (1 - q);
        java.util.ArrayDeque<Double> below = new java.util.ArrayDeque<>();
        java.util.ArrayList<Double> up = new java.util.ArrayList<>();
        double p = 1;
        up.add(p);
        for (long k = mode; k < n; k++) {
            p *= (double) (n - k) / (k + 1) * odds;
            if (p < 1e-12) {
                break;
            }
            up.add(p);
        }
        p = 1;
        long first = mode;
        for (long k = mode; k > 0; k--) {
            p *= (double) k / (n - k + 1) / odds;
            if (p < 1e-12) {
                break;
            }
            below.addFirst(p);
            first = k - 1;
        }
        double[] out = new double[1 + below.size() + up.size()];
        out[0] = first;
        int i = 1;
        double sum = 0;
        for (double v : below) {
            out[i++] = v;
            sum += v;
        }
        for (double v : up) {
            out[i++] = v;
            sum += v;
        }
        for (int j = 1; j < out.length; j++) {
            out[j] /= sum;
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
