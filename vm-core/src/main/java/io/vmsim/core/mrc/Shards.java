package io.vmsim.core.mrc;

import java.util.Arrays;

/**
 * An LRU miss-ratio curve from a spatially hashed sample of the pages: SHARDS with a fixed
 * sampling rate (C. A. Waldspurger, N. Park, A. Garthwaite, I. Ahmad, "Efficient MRC
 * Construction with SHARDS", FAST 2015). A page is sampled when {@code hash(page) mod P < T}
 * with {@code P = 2^24} and {@code T = round(R * P)}; every reference to a sampled page goes
 * through exact {@link StackDistances}, and its distance is scaled: a distance of {@code d} in
 * the sampled stack is the page itself and {@code d - 1} other sampled pages. Given that the page
 * is sampled, {@code k - 1} of the other {@code D - 1} pages of the trace are ({@code k} sampled of
 * {@code D} distinct pages), so each other sampled page stands for {@code (D - 1)/(k - 1)} pages
 * and the estimate is {@code 1 + (d - 1)(D - 1)/(k - 1)}. This is the hash rate {@code R} of the
 * paper's {@code 1 + (d - 1)/R} with the sample's actual share of the pages in its place: the
 * one-pass engine numbers every page, so {@code D} is known exactly, and the share corrects the
 * distances for a sample that happened to take more or fewer pages than {@code R D} (on a loop
 * over {@code D} pages it puts every reuse at exactly {@code D}). Without {@code D} (or with fewer
 * than two sampled pages) the scale is {@code R}. The estimate at N frames is the sampled
 * references at a scaled distance above N, plus the sampled cold misses, over {@code R} times all
 * the references: the SHARDS_adj correction, which counts the difference between the expected
 * and the actual sample size as references at the smallest distance.
 */
public final class Shards {
    /** The modulus P of the sampling condition. */
    public static final int MODULUS = 1 << 24;

    private final double rate;
    private final int threshold;
    private final long salt;
    private final StackDistances sampled = new StackDistances();
    /** Sampled reuses by their distance in the sampled stack, unscaled (element d for distance d). */
    private long[] raw = new long[1024];
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
    }

    /** Records a reference to page {@code id} whose page number is {@code page}. */
    public void access(int id, long page) {
        refs++;
        if ((mix(page ^ salt) >>> 40) >= threshold) {
            return;
        }
        int d = sampled.access(id);
        if (d > 0) {
            if (d >= raw.length) {
                raw = Arrays.copyOf(raw, Math.max(d + 1, 2 * raw.length));
            }
            raw[d]++;
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
     * by the hash rate).
     */
    public double[] missRatioCurve(int sizes, long distinct) {
        double expected = rate * refs;
        double[] out = new double[sizes];
        if (expected <= 0) {
            return out;
        }
        double scale = scale(distinct);
        // scaled[s] = sampled reuses whose scaled distance is s, for s in 1..sizes; beyond: above
        long[] scaled = new long[sizes + 1];
        long above = 0;
        for (int d = 1; d < raw.length; d++) {
            if (raw[d] == 0) {
                continue;
            }
            long s = Math.max(1, 1 + Math.round((d - 1) / scale));
            if (s > sizes) {
                above += raw[d];
            } else {
                scaled[(int) s] += raw[d];
            }
        }
        long cold = sampled.cold();
        for (int n = sizes; n >= 1; n--) {
            out[n - 1] = Math.min(1.0, (cold + above) / expected);
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
