package io.vmsim.core.workload;

import java.util.random.RandomGenerator;

/**
 * Draws ranks 1..n with probability proportional to {@code 1 / k^s}, in constant time and
 * without a table, by rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion
 * to generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996).
 */
public final class ZipfSampler {
    private final long n;
    private final double s;
    private final double hX1;
    private final double hN;
    private final double threshold;

    public ZipfSampler(long n, double s) {
        if (n < 1 || !(s > 0)) {
            throw new IllegalArgumentException("Zipf needs n >= 1 and s > 0: n=" + n + ", s=" + s);
        }
        this.n = n;
        this.s = s;
        this.hX1 = bigH(1.5) - 1.0;
        this.hN = bigH(n + 0.5);
        this.threshold = 2.0 - bigHInv(bigH(2.5) - h(2.0));
    }

    /** A rank in {@code 1..n}. */
    public long sample(RandomGenerator rng) {
        for (;;) {
            double u = hN + rng.nextDouble() * (hX1 - hN);
            double x = bigHInv(u);
            long k = (long) (x + 0.5);
            if (k < 1) {
                k = 1;
            } else if (k > n) {
                k = n;
            }
            if (k - x <= threshold || u >= bigH(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    private double h(double x) {
        return Math.exp(-s * Math.log(x));
    }

    /** The integral of h: (x^(1-s) - 1) / (1 - s), continuous at s = 1 (where it is log x). */
    private double bigH(double x) {
        double lx = Math.log(x);
        return expm1OverX((1.0 - s) * lx) * lx;
    }

    private double bigHInv(double y) {
        double t = y * (1.0 - s);
        if (t < -1.0) {
            t = -1.0; // numerical guard at the edge of the domain
        }
        return Math.exp(log1pOverX(t) * y);
    }

    private static double expm1OverX(double x) {
        return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x / 2.0 * (1.0 + x / 3.0);
    }

    private static double log1pOverX(double x) {
        return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x / 2.0 * (1.0 - 2.0 * x / 3.0);
    }
}
