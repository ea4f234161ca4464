package io.vmsim.core.mrc;

import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.TraceReader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The spread of SHARDS estimates over many hash salts (not a test: a measurement, run by hand):
 * {@code java -cp vm-core/target/test-classes:vm-core/target/classes:vm-api/target/classes:vm-cli/target/lib/* \\
 * io.vmsim.core.mrc.ShardsSpread TRACE RATES SALTS [SIZES]}, RATES and SIZES comma-separated. For
 * each rate: the mean absolute error of the estimated miss ratio against the exact curve over every
 * size from 1 to the distinct pages, for salts 0 (the default sample) to SALTS - 1, its
 * distribution, and the mean signed error per size over the salts (a bias would show there; the
 * mean of the salts' curves is printed as its mean absolute error, and at SIZES).
 */
public final class ShardsSpread {
    private ShardsSpread() {
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
        int salts = Integer.parseInt(a[2]);
        for (String rs : a[1].split(",")) {
            double rate = Double.parseDouble(rs);
            double[] maes = new double[salts];
            double[] signed = new double[distinct];
            long sampled = 0;
            for (int s = 0; s < salts; s++) {
                Shards sh = new Shards(rate, s == 0 ? 0 : Shards.mix(s * 0x9E3779B97F4A7C15L));
                sh.ensureIds(distinct);
                for (int id : ids) {
                    sh.access(id, pages[id]);
                }
                double[] est = sh.missRatioCurve(distinct, distinct);
                double sum = 0;
                for (int i = 0; i < distinct; i++) {
                    double e = est[i] - exact[i];
                    sum += Math.abs(e);
                    signed[i] += e;
                }
                maes[s] = sum / distinct;
                sampled += sh.sampledRefs();
            }
            double[] sorted = maes.clone();
            Arrays.sort(sorted);
            double meanSigned = 0;
            double meanAbsBias = 0;
            double maxAbsBias = 0;
            int at = 0;
            for (int i = 0; i < distinct; i++) {
                signed[i] /= salts;
                meanSigned += signed[i];
                meanAbsBias += Math.abs(signed[i]);
                if (Math.abs(signed[i]) > maxAbsBias) {
                    maxAbsBias = Math.abs(signed[i]);
                    at = i + 1;
                }
            }
            System.out.printf(java.util.Locale.ROOT, "rate %s, %d salts, sampled references %.0f on average | MAE: salt 0 %.5f,"
                    + " min %.5f, 10th percentile %.5f, median %.5f, mean %.5f, 90th percentile %.5f, max %.5f"
                    + " | mean signed error over sizes %+.5f; MAE of the mean curve %.5f; largest |mean signed error| %.5f"
                    + " at size %d%n", rs, salts, (double) sampled / salts, maes[0], sorted[0], sorted[salts / 10],
                    sorted[salts / 2], Arrays.stream(maes).average().orElse(0), sorted[salts * 9 / 10], sorted[salts - 1],
                    meanSigned / distinct, meanAbsBias / distinct, maxAbsBias, at);
            if (a.length > 3) {
                StringBuilder sb = new StringBuilder("  mean signed error at sizes:");
                for (String z : a[3].split(",")) {
                    int c = Math.min(distinct, Integer.parseInt(z));
                    sb.append(String.format(java.util.Locale.ROOT, " %d: %+.5f", c, signed[c - 1]));
                }
                System.out.println(sb);
            }
        }
    }
}
