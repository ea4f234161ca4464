package io.vmsim.cli;

import io.vmsim.core.Simulation;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TimeSeries;
import io.vmsim.core.scenario.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run --report}: the time series hold, at each sample, what a run stopped at that moment
 * reports; the HTML is self-contained and the same run writes the same bytes.
 */
final class RunReportTest {
    @TempDir
    Path dir;

    /** Counts the engine's safe points (each stopRequested() call) and stops at the {@code stopAt}-th, if positive. */
    private static final class Stopper implements Progress {
        final int stopAt;
        final TimeSeries watched;
        int calls;
        /** Safe points right after which a new sample stood: {call, sample index}. */
        final List<int[]> sampledAt = new ArrayList<>();
        int seen;

        Stopper(int stopAt, TimeSeries watched) {
            this.stopAt = stopAt;
            this.watched = watched;
        }

        @Override
        public void update(String phase, long done, long total) {
        }

        @Override
        public boolean stopRequested() {
            calls++;
            if (watched != null && watched.size() > seen) {
                seen = watched.size();
                sampledAt.add(new int[] {calls, seen - 1});
            }
            return calls == stopAt;
        }
    }

    private static RunResult run(String scenario, TimeSeries ts, Progress p, String... sets) throws Exception {
        try (PolicyRegistry catalog = PolicyRegistry.builtIn()) {
            Scenario sc = Inputs.scenario(scenario);
            EffectiveConfig cfg = Inputs.config(catalog, sc, false, null, List.of(sets), null);
            return Simulation.runScenario(cfg, catalog, sc, p, ts);
        }
    }

    /** The series that a run's own report has, compared with sample k. */
    private static void assertSampleIsTheReport(TimeSeries ts, int k, RunResult r) {
        String at = "sample " + k + " at " + ts.timeNs(k) + " ns";
        assertThat(ts.timeNs(k)).as(at).isEqualTo(r.timeNs());
        assertThat(ts.value(TimeSeries.NR_FREE_PAGES, k)).as(at).isEqualTo(r.counters().get("nr_free_pages"))
                .isEqualTo(r.meminfo().get("MemFree") / 4);
        assertThat(ts.value(TimeSeries.WORKINGSET_REFAULT_ANON, k)).as(at).isEqualTo(r.counters().get("workingset_refault_anon"));
        assertThat(ts.value(TimeSeries.WORKINGSET_REFAULT_FILE, k)).as(at).isEqualTo(r.counters().get("workingset_refault_file"));
        assertThat(ts.value(TimeSeries.ANON_PAGES_KB, k)).as(at).isEqualTo(r.meminfo().get("AnonPages"));
        assertThat(ts.value(TimeSeries.ANON_HUGE_PAGES_KB, k)).as(at).isEqualTo(r.meminfo().get("AnonHugePages"));
        assertThat(ts.value(TimeSeries.NUMA_LOCAL, k)).as(at).isEqualTo(r.counters().get("numa_local"));
        assertThat(ts.value(TimeSeries.NUMA_OTHER, k)).as(at).isEqualTo(r.counters().get("numa_other"));
        // every page-cache page is on a file LRU list: the page cache's own count (Cached) against
        // the frames the sampler counted
        assertThat(ts.value(TimeSeries.NR_INACTIVE_FILE, k) + ts.value(TimeSeries.NR_ACTIVE_FILE, k)).as(at)
                .isEqualTo(r.meminfo().get("Cached") / 4);
        assertThat(ts.value(TimeSeries.NR_UNEVICTABLE, k)).as(at).isEqualTo(r.meminfo().get("Unevictable") / 4);
        if (r.ksm() != null) {
            assertThat(ts.value(TimeSeries.PAGES_SHARED, k)).as(at).isEqualTo(r.ksm().counters().get("pages_shared"));
            assertThat(ts.value(TimeSeries.PAGES_SHARING, k)).as(at).isEqualTo(r.ksm().counters().get("pages_sharing"));
        }
    }

    @Test
    void eachSample_isWhatARunStoppedThenReports() throws Exception {
        // exact LRU loses the hot set of workingset, so refaults grow over the run
        String[] sets = {"policy.reclaim=lru", "report.interval_ms=50"};
        TimeSeries ts = new TimeSeries(50_000_000L);
        Stopper watch = new Stopper(-1, ts);
        RunResult whole = run("workingset", ts, watch, sets);
        // one sample per interval at most, at the first point between references in it, plus the start and the end
        assertThat(ts.size()).isBetween(3, (int) (whole.timeNs() / 50_000_000L) + 2);
        for (int k = 1; k < ts.size() - 1; k++) {
            assertThat(ts.timeNs(k) / 50_000_000L).as("sample " + k).isGreaterThan(ts.timeNs(k - 1) / 50_000_000L);
        }
        assertSampleIsTheReport(ts, ts.size() - 1, whole);
        assertThat(ts.value(TimeSeries.WORKINGSET_REFAULT_FILE, ts.size() - 1)).isPositive();
        assertThat(ts.activeLists()).as("lru keeps no active list").isFalse();
        // three samples taken at a safe point, early, middle and late: stop a second run there
        List<int[]> at = watch.sampledAt;
        assertThat(at.size()).isGreaterThan(6);
        int compared = 0;
        for (int[] point : List.of(at.get(1), at.get(at.size() / 2), at.get(at.size() - 2))) {
            RunResult stopped = run("workingset", null, new Stopper(point[0], null), sets);
            assertThat(stopped.interrupted()).isTrue();
            if (stopped.timeNs() == ts.timeNs(point[1])) {
                assertSampleIsTheReport(ts, point[1], stopped);
                compared++;
            }
        }
        assertThat(compared).as("samples compared with a stopped run").isGreaterThanOrEqualTo(2);
    }

    @Test
    void twoListLru_reportsItsActiveList_theHotFile() throws Exception {
        TimeSeries ts = new TimeSeries(100_000_000L);
        RunResult r = run("workingset", ts, Progress.NONE, "report.interval_ms=100");
        int last = ts.size() - 1;
        assertSampleIsTheReport(ts, last, r);
        assertThat(ts.activeLists()).isTrue();
        // the 4 MiB hot file (1024 pages), re-read after each chunk of the stream, is what the
        // second access activates; the stream's pages are read once and stay inactive
        assertThat(ts.value(TimeSeries.NR_ACTIVE_FILE, last)).isBetween(900L, 1024L);
        assertThat(ts.value(TimeSeries.NR_INACTIVE_ANON, last) + ts.value(TimeSeries.NR_ACTIVE_ANON, last)).isZero();
    }

    @Test
    void ksmSeries_followKsmd_andTheEndIsTheReport() throws Exception {
        TimeSeries ts = new TimeSeries(100_000_000L);
        RunResult r = run("ksm-identical", ts, Progress.NONE, "report.interval_ms=100");
        int last = ts.size() - 1;
        assertSampleIsTheReport(ts, last, r);
        // 1000 identical pages with max_page_sharing 256: 4 KSM pages, 996 sharing, as Linux 6.18
        // recorded (conformance/ksm/ksm-identical.json); then one page is written and ksmd sees 995
        long maxSharing = 0;
        for (int k = 0; k < ts.size(); k++) {
            maxSharing = Math.max(maxSharing, ts.value(TimeSeries.PAGES_SHARING, k));
        }
        assertThat(maxSharing).isEqualTo(996);
        assertThat(ts.value(TimeSeries.PAGES_SHARED, last)).isEqualTo(4);
        assertThat(ts.value(TimeSeries.PAGES_SHARING, last)).isEqualTo(995);
        assertThat(ts.value(TimeSeries.PAGES_SHARING, 0)).as("nothing merged at the start").isZero();
        long rss = 0;
        for (long[] p : ts.processRss().values()) {
            rss += p[last];
        }
        assertThat(rss).isEqualTo(ts.value(TimeSeries.RSS, last));
    }

    @Test
    void htmlReport_isSelfContained_andTheSameRunWritesTheSameBytes() throws Exception {
        Path a = dir.resolve("a.html");
        Path b = dir.resolve("b.html");
        for (Path f : List.of(a, b)) {
            Cli.Outcome o = Cli.run("run", "--scenario", "sample", "--set", "report.interval_ms=0.5", "--report", f.toString());
            assertThat(o.code()).as(o.err()).isZero();
        }
        String html = Files.readString(a);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        Matcher remote = Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//").matcher(html);
        assertThat(remote.find()).as("a src or href to the network").isFalse();
        assertThat(html).contains("echarts").contains("<div class=\"chart\" id=\"chart6\"").doesNotContain("id=\"chart7\"");
    }

    @Test
    void anIntervalBelowOneMicrosecond_isBadInput() {
        Cli.Outcome o = Cli.run("run", "--scenario", "sample", "--set", "report.interval_ms=0", "--report",
                dir.resolve("r.html").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("report.interval_ms");
        assertThat(dir.resolve("r.html")).doesNotExist();
    }

    @Test
    void reportIntoAMissingFolder_isRefusedBeforeTheRun() {
        Cli.Outcome o = Cli.run("run", "--scenario", "sample", "--report", dir.resolve("no/such/r.html").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("--report", "does not exist");
    }
}
