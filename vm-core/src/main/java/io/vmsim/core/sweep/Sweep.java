package io.vmsim.core.sweep;

import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.report.Progress;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A whole sweep: reads back the points an earlier sweep into the same folder finished, runs the
 * others on an engine, writing each point's file as its result arrives, then writes
 * {@code results.jsonl} and {@code results.csv} over all points in order.
 */
public final class Sweep {
    /**
     * What a sweep did.
     *
     * @param points  points in the sweep
     * @param skipped points an earlier sweep had finished (read back, not run)
     * @param ran     points run now
     * @param failed  points whose result is a failure (read back or run now)
     */
    public record Summary(int points, int skipped, int ran, int failed) {
    }

    /** Told once, before anything runs, how many points an earlier sweep finished. */
    public interface Listener {
        void resumed(int finished, int failedAmongThem, int total);
    }

    private Sweep() {
    }

    /**
     * Runs the sweep.
     *
     * @param points   the points, in order ({@link SweepPlan#expand})
     * @param progress told after each point: {@code points done/total, rate, ETA}
     */
    public static Summary run(SweepJob job, List<SweepPoint> points, PolicyCatalog catalog, SweepOutput out,
                              SweepEngine engine, SweepEngine.Options options, Progress progress, Listener listener)
            throws Exception {
        out.prepare();
        boolean mrc = job.mrc() != null;
        PointResult[] results = new PointResult[points.size()];
        List<SweepPoint> todo = new ArrayList<>();
        int skipped = 0;
        int skippedFailed = 0;
        for (SweepPoint p : points) {
            PointResult r = out.finished(p, mrc);
            if (r == null) {
                todo.add(p);
            } else {
                results[p.index()] = r;
                skipped++;
                skippedFailed += r.ok() ? 0 : 1;
            }
        }
        listener.resumed(skipped, skippedFailed, points.size());
        long start = System.nanoTime();
        int[] done = {0};
        int total = todo.size();
        if (!todo.isEmpty()) {
            progress.update(status(0, total, start), 0, total);
            engine.run(job, todo, catalog, options, r -> {
                out.write(r);
                results[r.index()] = r;
                done[0]++;
                progress.update(status(done[0], total, start), done[0], total);
            });
        }
        List<PointResult> all = Arrays.asList(results);
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                throw new IllegalStateException("the " + engine.name() + " engine returned no result for point "
                        + points.get(i).hash());
            }
        }
        out.writeResults(points, all, new ArrayList<>(job.vary().keySet()));
        int failed = (int) all.stream().filter(r -> !r.ok()).count();
        return new Summary(points.size(), skipped, total, failed);
    }

    /** {@code points 12/80, 0.41/s, ETA 2m46s}. */
    static String status(int done, int total, long startNs) {
        double secs = (System.nanoTime() - startNs) / 1e9;
        if (done == 0 || secs <= 0) {
            return String.format(Locale.ROOT, "points %d/%d", done, total);
        }
        double rate = done / secs;
        long eta = Math.round((total - done) / rate);
        return String.format(Locale.ROOT, "points %d/%d, %.2f/s, ETA %s", done, total, rate, duration(eta));
    }

    static String duration(long s) {
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }

    /** Writes the results files alone, from the points' files, when every point is finished. */
}
