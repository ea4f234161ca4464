package io.vmsim.cli.report;

import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TimeSeries;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * The HTML report of {@code vmsim run --report F.html} (issue 14): the run's time series over
 * simulated time (free memory, RSS, LRU lists, refaults, THP coverage, NUMA locality, KSM
 * sharing; see docs/reports.md), the phases and the main counters.
 */
public final class RunReport {
    /** The charts a run report holds, in order (the browser test counts them). */
    public static final List<String> CHARTS = List.of("Free memory", "Resident set size", "LRU lists", "Refaults",
            "THP coverage", "NUMA locality", "KSM sharing");

    /** Counters shown in the summary table, when the run has them. */
    private static final List<String> MAIN_COUNTERS = List.of("pgfault", "pgmajfault", "pswpin", "pswpout",
            "workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
            "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "thp_fault_alloc", "thp_fault_fallback",
            "numa_local", "numa_other", "numa_pages_migrated", "oom_kill");

    private static final String UNEVICTABLE = " nr_unevictable: mlocked pages, and the anonymous pages of a machine"
            + " without swap, which vmsim keeps on the unevictable list (Linux leaves them on the anon lists, unscanned).";

    private RunReport() {
    }

    /** Writes the report of {@code r}, whose samples are {@code ts}, to {@code file}. */
    public static void write(RunResult r, TimeSeries ts, Path file) throws IOException {
        page(r, ts).write(file);
    }

    /** The report as a string (deterministic: the same run gives the same bytes). */
    public static String render(RunResult r, TimeSeries ts) {
        return page(r, ts).render();
    }

    static HtmlPage page(RunResult r, TimeSeries ts) {
        HtmlPage p = new HtmlPage("vmsim run: " + r.workload());
        String policy = r.config().getOrDefault("policy.reclaim", "?");
        p.para(String.format(Locale.ROOT, "%s, %s simulated, %,d references%s. Reclaim policy %s, memory %s. "
                        + "%d samples, one every %s ms of simulated time (report.interval_ms), plus the start and the end.",
                r.workload(), ms(r.timeNs()) + " ms", r.refs(), r.interrupted() ? " (interrupted: partial)" : "",
                policy, r.config().getOrDefault("machine.memory", "?"), ts.size(),
                Json.number(ts.intervalNs() / 1e6)));
        for (String w : r.warnings()) {
            p.para("warning: " + w);
        }
        p.heading("Over simulated time");
        p.chart(chart(CHARTS.get(0), "MiB", List.of(series(ts, "MemFree", k -> mib(ts.value(TimeSeries.NR_FREE_PAGES, k))))),
                "MemFree: free pages (nr_free_pages), per-CPU lists not counted, as /proc/meminfo.");
        List<Map<String, Object>> rss = new ArrayList<>();
        rss.add(series(ts, "total", k -> mib(ts.value(TimeSeries.RSS, k))));
        for (Map.Entry<String, long[]> e : ts.processRss().entrySet()) {
            long[] v = e.getValue();
            rss.add(series(ts, e.getKey(), k -> mib(v[k])));
        }
        p.chart(chart(CHARTS.get(1), "MiB", rss), "Resident pages (MM_ANONPAGES + MM_FILEPAGES) of every live process, "
                + "and of each process by pid and name (0 before it started and after it exited).");
        List<Map<String, Object>> lru = new ArrayList<>();
        for (int s : new int[] {TimeSeries.NR_INACTIVE_ANON, TimeSeries.NR_ACTIVE_ANON, TimeSeries.NR_INACTIVE_FILE,
            TimeSeries.NR_ACTIVE_FILE, TimeSeries.NR_UNEVICTABLE}) {
            lru.add(series(ts, TimeSeries.NAMES.get(s), k -> mib(ts.value(s, k))));
        }
        p.chart(chart(CHARTS.get(2), "MiB", lru), ts.activeLists()
                ? "Pages on the LRU lists by type, as /proc/vmstat names them; the active share is the reclaim policy's count."
                + UNEVICTABLE
                : "Pages on the LRU lists by type; the reclaim policy " + policy + " keeps no active list, so all show as inactive."
                + UNEVICTABLE);
        p.chart(chart(CHARTS.get(3), "refaults", List.of(
                series(ts, "workingset_refault_anon", k -> ts.value(TimeSeries.WORKINGSET_REFAULT_ANON, k)),
                series(ts, "workingset_refault_file", k -> ts.value(TimeSeries.WORKINGSET_REFAULT_FILE, k)))),
                "Faults and reads of pages evicted earlier (mm/workingset.c), cumulative since the start.");
        p.chart(percent(chart(CHARTS.get(4), "% of AnonPages", List.of(series(ts, "AnonHugePages / AnonPages",
                        k -> share(ts.value(TimeSeries.ANON_HUGE_PAGES_KB, k), ts.value(TimeSeries.ANON_PAGES_KB, k), 0))))),
                "Share of anonymous memory mapped by transparent huge pages (AnonHugePages over AnonPages); 0 without anonymous memory.");
        p.chart(percent(chart(CHARTS.get(5), "% local", List.of(
                        series(ts, "allocations: numa_local / (numa_local + numa_other)", k -> share(
                                ts.value(TimeSeries.NUMA_LOCAL, k), ts.value(TimeSeries.NUMA_LOCAL, k) + ts.value(TimeSeries.NUMA_OTHER, k), 100)),
                        series(ts, "references: local / all", k -> share(
                                ts.value(TimeSeries.REFS_LOCAL, k), ts.value(TimeSeries.REFS_LOCAL, k) + ts.value(TimeSeries.REFS_REMOTE, k), 100))))),
                "Cumulative since the start; 100% on a machine of one node, and before the first allocation or reference.");
        p.chart(chart(CHARTS.get(6), "pages", List.of(
                series(ts, "pages_shared", k -> ts.value(TimeSeries.PAGES_SHARED, k)),
                series(ts, "pages_sharing", k -> ts.value(TimeSeries.PAGES_SHARING, k)))),
                "KSM pages in the stable tree and the mappings sharing them (/sys/kernel/mm/ksm); 0 when ksmd does not run.");
        p.heading("Phases");
        List<List<String>> phases = new ArrayList<>();
        for (RunResult.PhaseResult ph : r.phases()) {
            phases.add(List.of(ph.name(), ms(ph.timeNs()), String.format(Locale.ROOT, "%,d", ph.refs())));
        }
        p.table(List.of("phase", "simulated ms", "references"), phases);
        p.heading("Counters at the end");
        List<List<String>> rows = new ArrayList<>();
        for (String c : MAIN_COUNTERS) {
            Long v = r.counters().get(c);
            if (v != null) {
                rows.add(List.of(c, String.format(Locale.ROOT, "%,d", v)));
            }
        }
        p.table(List.of("counter (/proc/vmstat)", "value"), rows);
        return p;
    }

    private static Map<String, Object> chart(String title, String yName, List<Map<String, Object>> series) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("title", title);
        c.put("x", Json.obj("name", "simulated time (ms)", "type", "value"));
        c.put("y", Json.obj("name", yName));
        c.put("series", series);
        return c;
    }

    /** A chart of percentages: the y axis spans 0..100. */
    private static Map<String, Object> percent(Map<String, Object> c) {
        @SuppressWarnings("unchecked")
        Map<String, Object> y = new LinkedHashMap<>((Map<String, Object>) c.get("y"));
        y.put("min", 0);
        y.put("max", 100);
        c.put("y", y);
        return c;
    }

    private static Map<String, Object> series(TimeSeries ts, String name, IntToDoubleFunction y) {
        List<double[]> data = new ArrayList<>(ts.size());
        for (int k = 0; k < ts.size(); k++) {
            data.add(new double[] {ts.timeNs(k) / 1e6, y.applyAsDouble(k)});
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("data", data);
        return s;
    }

    private static double mib(long pages) {
        return pages / 256.0;
    }

    /** part as a percentage of whole, or {@code none} when whole is 0. */
    private static double share(long part, long whole, double none) {
        return whole <= 0 ? none : 100.0 * part / whole;
    }

    private static String ms(long ns) {
        return String.format(Locale.ROOT, "%.3f", ns / 1e6);
    }
}
