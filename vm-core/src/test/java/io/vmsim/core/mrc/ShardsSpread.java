package io.vmsim.core.mrc;

import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.TraceReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The spread of SHARDS estimates over many hash salts (not a test: a measurement, run by hand):
 * {@code java -cp vm-core/target/test-classes:vm-core/target/classes:vm-api/target/classes:vm-cli/target/lib/* \\
 * io.vmsim.core.mrc.ShardsSpread TRACE RATES SALTS [SIZES]}, RATES and SIZES comma-separated. For
 * each rate and each estimator: the mean absolute error of the estimated miss ratio against the
 * exact curve over every size from 1 to the distinct pages, for salts 0 (the default sample) to
 * SALTS - 1, its distribution, and the mean signed error per size over the salts (a bias would
 * show there; the mean of the salts' curves is printed as its mean absolute error, and at SIZES).
 *
 * <p>The estimators: {@code adj} (SHARDS_adj, each sampled reference standing for 1/R),
 * {@code ordinal} (post-stratified by reference ordinal, the estimate of 2 December 2026 before
 * the reuse-time strata), {@code reuse-time} (post-stratified by reuse time, what {@code --sample}
 * uses), {@code ordinal-interval} and {@code reuse-time-interval} (the same with each sampled
 * distance spread over the true distances it stands for), {@code reuse-ratio} (the cold misses
 * exact, the sampled reuses scaled to all the reuses) from {@link Shards};
 * {@code ordinal-deconvolved} and {@code reuse-time-deconvolved} (the weighed sampled distances
 * deconvolved of the sampling's binomial kernel, {@link #deconvolve}); and {@code final-count},
 * which needs the whole trace first and so is not built: the cold misses exact, the reuses
 * post-stratified by {@code floor(log2)} of their page's final reference count (a page's class is
 * known only at the end, so one pass would have to keep every sampled page's distances until
 * then). Each sees the same sample for a salt. {@code -Dspread.estimators=a,b} picks some;
 * {@code -Dspread.dump=PREFIX} writes each estimator's mean signed error per size to
 * {@code PREFIX.RATE.NAME.tsv}. The error is also split by bands of sizes: below 1/R; at a cliff
 * of the exact curve (a drop of more than a point within 2 sqrt(size/R) either side); elsewhere.
 */
public final class ShardsSpread {
    private ShardsSpread() {
    }

    /** Every estimator's name; {@code -Dspread.estimators=a,b} picks some (default all). */
    private static final String[] ALL = {"adj", "ordinal", "reuse-ratio", "final-count", "ordinal-interval",
        "ordinal-deconvolved", "reuse-time", "reuse-time-interval", "reuse-time-deconvolved"};

    /** The weighed sampled distances deconvolved ({@link #deconvolve}), the cold misses exact. */
    private static double[] deconvolved(Shards sh, Shards.Weighting w, int distinct) {
        double[] at = new double[distinct + 1];
        double above = deconvolve(sh.weighted(w), sh.scale(distinct), distinct, at, distinct, sh.meanWeight(w));
        return sh.curve(at, above, sh.cold(w), distinct);
    }
    private static final String[] NAMES = System.getProperty("spread.estimators", String.join(",", ALL)).split(",");

    private static double[] estimate(String name, Shards sh, int[] ids, long[] pages, int[] finalCount, int distinct,
                                     long refs) {
        return switch (name) {
            case "adj" -> sh.missRatioCurve(distinct, distinct, Shards.Estimator.ADJ);
            case "ordinal" -> sh.missRatioCurve(distinct, distinct, Shards.Estimator.ORDINAL);
            case "reuse-ratio" -> sh.missRatioCurve(distinct, distinct, Shards.Estimator.REUSE_RATIO);
            case "final-count" -> finalCountCurve(sh, ids, pages, finalCount, distinct, refs);
            case "ordinal-interval" -> sh.missRatioCurve(distinct, distinct, Shards.Estimator.ORDINAL_INTERVAL);
            case "ordinal-deconvolved" -> deconvolved(sh, Shards.Weighting.ORDINAL, distinct);
            case "reuse-time" -> sh.missRatioCurve(distinct, distinct, Shards.Estimator.REUSE_TIME);
            case "reuse-time-interval" -> sh.missRatioCurve(distinct, distinct, Shards.Estimator.REUSE_TIME_INTERVAL);
            case "reuse-time-deconvolved" -> deconvolved(sh, Shards.Weighting.REUSE_TIME, distinct);
            default -> throw new IllegalArgumentException(name);
        };
    }

    public static void main(String[] a) throws Exception {
        int[] ids;
        long[] pages;
        int distinct;
        try (TraceReader r = TraceFormats.open(Path.of(a[0]), "auto", false)) {
            Densifier d = new Densifier(r, Long.MAX_VALUE, 1 << 16);
            int[] buf = new int[1 << 16];
            int[] all = new int[1 << 20];
            int n = 0;
            int k;
            while ((k = d.fill(buf)) > 0) {
                if (n + k > all.length) {
                    all = Arrays.copyOf(all, Math.max(n + k, all.length * 2));
                }
                for (int i = 0; i < k; i++) {
                    all[n++] = buf[i] >>> 1;
                }
            }
            ids = Arrays.copyOf(all, n);
            pages = d.pages();
            distinct = d.distinct();
        }
        long refs = ids.length;
        StackDistances sd = new StackDistances();
        sd.ensureIds(distinct);
        sd.accessAll(ids, ids.length, 0);
        long[] ex = sd.missCurve(distinct);
        double[] exact = new double[distinct];
        for (int i = 0; i < distinct; i++) {
            exact[i] = (double) ex[i] / refs;
        }
        int[] finalCount = new int[distinct];
        for (int id : ids) {
            finalCount[id]++;
        }
        System.out.printf(Locale.ROOT, "%s: %d references, %d distinct pages%n", a[0], refs, distinct);
        int salts = Integer.parseInt(a[2]);
        for (String rs : a[1].split(",")) {
            double rate = Double.parseDouble(rs);
            double[][] maes = new double[NAMES.length][salts];
            // bands of sizes: below 1/R; at a cliff of the exact curve (it drops by more than a point
            // within the spread of a sampled reuse there, h = 2 sqrt(size/R) either side); elsewhere
            int[] band = new int[distinct];
            int[] inBand = new int[3];
            for (int i = 0; i < distinct; i++) {
                int size = i + 1;
                int h = (int) Math.round(2 * Math.sqrt(size / rate));
                double drop = exact[Math.max(0, i - h)] - exact[Math.min(distinct - 1, i + h)];
                band[i] = size < 1 / rate ? 0 : drop > 0.01 ? 1 : 2;
                inBand[band[i]]++;
            }
            System.out.printf(Locale.ROOT, "rate %s: bands of sizes: [0] below 1/R %d sizes, [1] at a cliff %d, [2] elsewhere"
                    + " %d%n", rs, inBand[0], inBand[1], inBand[2]);
            double[][][] bandMae = new double[NAMES.length][3][salts];
            double[][] signed = new double[NAMES.length][distinct];
            long sampled = 0;
            long pagesSampled = 0;
            for (int s = 0; s < salts; s++) {
                long salt = s == 0 ? 0 : Shards.mix(s * 0x9E3779B97F4A7C15L);
                Shards sh = new Shards(rate, salt);
                sh.ensureIds(distinct);
                for (int id : ids) {
                    sh.access(id, pages[id]);
                }
                for (int e = 0; e < NAMES.length; e++) {
                    double[] est = estimate(NAMES[e], sh, ids, pages, finalCount, distinct, refs);
                    double sum = 0;
                    for (int i = 0; i < distinct; i++) {
                        double err = est[i] - exact[i];
                        sum += Math.abs(err);
                        signed[e][i] += err;
                        bandMae[e][band[i]][s] += Math.abs(err) / distinct;
                    }
                    maes[e][s] = sum / distinct;
                }
                sampled += sh.sampledRefs();
                pagesSampled += sh.sampledPages();
            }
            for (int e = 0; e < NAMES.length; e++) {
                double[] sorted = maes[e].clone();
                Arrays.sort(sorted);
                double meanSigned = 0;
                double meanAbsBias = 0;
                double maxAbsBias = 0;
                int at = 0;
                for (int i = 0; i < distinct; i++) {
                    signed[e][i] /= salts;
                    meanSigned += signed[e][i];
                    meanAbsBias += Math.abs(signed[e][i]);
                    if (Math.abs(signed[e][i]) > maxAbsBias) {
                        maxAbsBias = Math.abs(signed[e][i]);
                        at = i + 1;
                    }
                }
                System.out.printf(Locale.ROOT, "rate %s %-11s %d salts, sampled references %.0f, pages %.0f on average"
                        + " | MAE: salt 0 %.5f, min %.5f, 10th percentile %.5f, median %.5f, mean %.5f, 90th percentile %.5f,"
                        + " max %.5f, at or under 0.5%% on %d | mean signed error over sizes %+.5f; MAE of the mean curve %.5f; largest |mean signed"
                        + " error| %.5f at size %d%n", rs, NAMES[e], salts, (double) sampled / salts,
                        (double) pagesSampled / salts, maes[e][0], sorted[0], sorted[salts / 10], sorted[salts / 2],
                        Arrays.stream(maes[e]).average().orElse(0), sorted[salts * 9 / 10], sorted[salts - 1],
                        Arrays.stream(maes[e]).filter(m -> m <= 0.005).count(),
                        meanSigned / distinct, meanAbsBias / distinct, maxAbsBias, at);
                if (System.getProperty("spread.dump") != null) {
                    // size, exact miss ratio, mean signed error of this estimator over the salts
                    try (java.io.PrintWriter pw = new java.io.PrintWriter(System.getProperty("spread.dump") + "." + rs
                            + "." + NAMES[e] + ".tsv")) {
                        for (int i = 0; i < distinct; i++) {
                            pw.printf(Locale.ROOT, "%d\t%.6f\t%+.6f%n", i + 1, exact[i], signed[e][i]);
                        }
                    }
                }
                StringBuilder bs = new StringBuilder("  by band (share of the MAE; median salt's, mean curve's):");
                double[] biasBand = new double[3];
                for (int i = 0; i < distinct; i++) {
                    biasBand[band[i]] += Math.abs(signed[e][i]) / distinct;
                }
                for (int b = 0; b < 3; b++) {
                    double[] sb2 = bandMae[e][b].clone();
                    Arrays.sort(sb2);
                    double signedSum = 0;
                    int cnt = 0;
                    for (int i = 0; i < distinct; i++) {
                        if (band[i] == b) {
                            signedSum += signed[e][i];
                            cnt++;
                        }
                    }
                    bs.append(String.format(Locale.ROOT, " [%d] median %.5f, bias %.5f (mean signed %+.5f over %d sizes);",
                            b, sb2[salts / 2], biasBand[b], cnt == 0 ? 0 : signedSum / cnt, cnt));
                }
                System.out.println(bs);
                if (a.length > 3) {
                    StringBuilder sb = new StringBuilder("  mean signed error at sizes:");
                    for (String z : a[3].split(",")) {
                        int c = Math.min(distinct, Integer.parseInt(z));
                        sb.append(String.format(Locale.ROOT, " %d: %+.5f", c, signed[e][c - 1]));
                    }
                    System.out.println(sb);
                }
            }
        }
    }

    /**
     * The cold misses exact, the reuses post-stratified by the class {@code floor(log2 f)} of
     * their page's final reference count {@code f}: a sampled reuse of class c stands for the
     * trace's reuses of class c over the sample's. A class with reuses but none sampled is merged
     * into the nearest class below with some (the pages nearest in weight), else the nearest above.
     */
    static double[] finalCountCurve(Shards sh, int[] ids, long[] pages, int[] finalCount, int distinct, long refs) {
        int classes = 32;
        long[] reuses = new long[classes];
        for (int id = 0; id < distinct; id++) {
            reuses[31 - Integer.numberOfLeadingZeros(finalCount[id])] += finalCount[id] - 1;
        }
        StackDistances sampledStack = new StackDistances();
        sampledStack.ensureIds(distinct);
        long[][] hist = new long[classes][];
        long[] inSample = new long[classes];
        for (int id : ids) {
            if (!sh.sampled(pages[id])) {
                continue;
            }
            int d = sampledStack.access(id);
            if (d == 0) {
                continue;
            }
            int c = 31 - Integer.numberOfLeadingZeros(finalCount[id]);
            if (hist[c] == null) {
                hist[c] = new long[64];
            }
            if (d >= hist[c].length) {
                hist[c] = Arrays.copyOf(hist[c], Math.max(d + 1, 2 * hist[c].length));
            }
            hist[c][d]++;
            inSample[c]++;
        }
        long[] merged = reuses.clone();
        for (int c = 0; c < classes; c++) {
            if (reuses[c] > 0 && inSample[c] == 0) {
                int to = -1;
                for (int b = c - 1; b >= 0 && to < 0; b--) {
                    if (inSample[b] > 0) {
                        to = b;
                    }
                }
                for (int b = c + 1; b < classes && to < 0; b++) {
                    if (inSample[b] > 0) {
                        to = b;
                    }
                }
                merged[c] = 0;
                if (to >= 0) {
                    merged[to] += reuses[c];
                }
            }
        }
        double scale = sh.scale(distinct);
        double[] scaled = new double[distinct + 1];
        double above = 0;
        for (int c = 0; c < classes; c++) {
            if (inSample[c] == 0) {
                continue;
            }
            double w = (double) merged[c] / inSample[c];
            for (int d = 1; d < hist[c].length; d++) {
                if (hist[c][d] == 0) {
                    continue;
                }
                long x = Math.max(1, 1 + Math.round((d - 1) / scale));
                if (x > distinct) {
                    above += w * hist[c][d];
                } else {
                    scaled[(int) x] += w * hist[c][d];
                }
            }
        }
        double[] out = new double[distinct];
        for (int n = distinct; n >= 1; n--) {
            out[n - 1] = Math.min(1.0, (distinct + above) / refs);
            above += scaled[n];
        }
        return out;
    }

    static double deconvolve(double[] g, double q, long distinct, double[] at, int sizes, double w) {
        int dm = g.length - 1;
        while (dm > 0 && g[dm] == 0) {
            dm--;
        }
        if (dm == 0) {
            return 0;
        }
        if (q >= 1) {
            throw new IllegalArgumentException("rate 1: nothing to deconvolve");
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
        int dExt = dm;
        for (int i = 0; i < m; i++) {
            long[] c = cells.get(i);
            long n = (c[0] + c[1]) / 2 - 1; // other pages above a reuse at the cell's middle
            double[] pmf = binomial(n, q);
            // kernel over d = 1 + k, whole: distances beyond the largest observed are observed zero times
            from[i] = (int) pmf[0] + 1; // pmf[0] holds the first k
            kern[i] = Arrays.copyOfRange(pmf, 1, pmf.length);
            dExt = Math.max(dExt, from[i] + kern[i].length - 1);
        }
        g = Arrays.copyOf(g, dExt + 1);
        dm = dExt;
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
        int observed = dm; // the distances 1..dm, each observed (some zero times)
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
}
