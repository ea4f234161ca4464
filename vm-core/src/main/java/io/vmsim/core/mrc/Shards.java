package io.vmsim.core.mrc;

import java.util.Arrays;

/**
 * An LRU miss-ratio curve from a spatially hashed sample of the pages: SHARDS with a fixed
 * sampling rate (C. A. Waldspurger, N. Park, A. Garthwaite, I. Ahmad, "Efficient MRC
 * Construction with SHARDS", FAST 2015). A page is sampled when {@code hash(page) mod P < T}
 * with {@code P = 2^24} and {@code T = round(R * P)}; every reference to a sampled page goes
 * through exact {@link StackDistances}, and its distance is scaled: a distance of {@code d} in
 * the sampled stack is the page itself and {@code d - 1} other sampled pages, each standing for
 * {@code 1/R} pages, so the estimate is {@code 1 + (d - 1)/R} (its mean is the true distance;
 * {@code d/R} would overstate every distance by {@code 1/R - 1} pages on average). The
 * estimate at N frames is the sampled references at a scaled distance above N, plus the
 * sampled cold misses, over {@code R} times all the references: the SHARDS_adj correction,
 * which counts the difference between the expected and the actual sample size as references
 * at the smallest distance.
 */
public final class Shards {
    /** The modulus P of the sampling condition. */
    public static final int MODULUS = 1 << 24;

    private final double rate;
    private final int threshold;
    private final long salt;
    private final StackDistances sampled = new StackDistances();
    private long[] scaled = new long[1024];
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
            long s = Math.max(1, 1 + Math.round((d - 1) / rate));
            if (s >= scaled.length) {
                scaled = Arrays.copyOf(scaled, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(s + 1, 2L * scaled.length)));
            }
            scaled[(int) Math.min(s, scaled.length - 1)]++;
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

    /** Estimated LRU miss ratio at every size {@code 1..sizes} (element {@code n-1} for n frames). */
    public double[] missRatioCurve(int sizes) {
        double expected = rate * refs;
        double[] out = new double[sizes];
        if (expected <= 0) {
            return out;
        }
        long above = 0;
        for (int d = scaled.length - 1; d > sizes; d--) {
            above += scaled[d];
        }
        long cold = sampled.cold();
        for (int n = sizes; n >= 1; n--) {
            out[n - 1] = Math.min(1.0, (cold + above) / expected);
            if (n < scaled.length) {
                above += scaled[n];
            }
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
