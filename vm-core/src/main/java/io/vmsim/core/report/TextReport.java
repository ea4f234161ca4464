package io.vmsim.core.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The human summary of a run: workload and simulated time, a table of phases, the counters that
 * matter most for memory-management studies, TLB figures and, when measured, the nested-walk
 * table. Everything else is in the JSON ({@link JsonWriter}).
 */
public final class TextReport {
    /** vmstat counters worth a line in the summary, in the order shown (when the run reports them). */
    static final List<String> KEY_COUNTERS = List.of(
            "pgfault", "pgmajfault", "thp_fault_alloc", "thp_fault_fallback", "thp_fault_fallback_charge", "thp_collapse_alloc",
            "thp_split_page", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
            "workingset_refault_anon", "workingset_refault_file", "pswpin", "pswpout", "compact_stall",
            "numa_hint_faults", "numa_pages_migrated", "oom_kill");

    /** meminfo fields worth a line, in kB. */
    static final List<String> KEY_MEMINFO = List.of(
            "MemTotal", "MemFree", "AnonPages", "AnonHugePages", "PageTables", "SwapTotal", "SwapFree");

    private TextReport() {
    }

    /** The summary, lines ending with {@code \n}. */
    public static String render(RunResult r) {
        StringBuilder sb = new StringBuilder(2048);
        sb.append("workload   ").append(r.workload()).append('\n');
        sb.append("simulated  ").append(duration(r.timeNs())).append("  (").append(count(r.refs()))
                .append(" references)\n");
        if (r.interrupted()) {
            sb.append("interrupted  stopped by SIGINT before the end: the figures are partial\n");
        }
        if (!r.reclaimRan()) {
            long memKb = r.meminfo().getOrDefault("MemTotal", 0L);
            sb.append("reclaim never ran: memory (").append(count(memKb >> 10))
                    .append(" MiB) held the whole footprint; the reclaim policy made no decision\n");
        }
        for (String w : r.warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }

        if (!r.phases().isEmpty()) {
            sb.append('\n');
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"phase", "time", "refs", "ns/ref"});
            for (RunResult.PhaseResult p : r.phases()) {
                rows.add(new String[] {p.name(), duration(p.timeNs()), count(p.refs()), perRef(p.timeNs(), p.refs())});
            }
            table(sb, rows, new boolean[] {false, true, true, true});
        }

        List<String[]> counters = new ArrayList<>();
        for (String k : KEY_COUNTERS) {
            Long v = r.counters().get(k);
            if (v != null) {
                counters.add(new String[] {k, count(v)});
            }
        }
        section(sb, "counters (all in --json)", counters);

        List<String[]> mem = new ArrayList<>();
        for (String k : KEY_MEMINFO) {
            Long v = r.meminfo().get(k);
            if (v != null) {
                mem.add(new String[] {k, count(v) + " kB"});
            }
        }
        section(sb, "meminfo", mem);

        List<String[]> tlb = new ArrayList<>();
        for (Map.Entry<String, Long> e : r.tlb().entrySet()) {
            String perK = e.getKey().endsWith("_misses") || e.getKey().endsWith("_refs")
                    ? String.format(Locale.ROOT, "%.3f per 1000 refs", r.refs() == 0 ? 0.0 : 1000.0 * e.getValue() / r.refs())
                    : "";
            tlb.add(new String[] {e.getKey(), count(e.getValue()), perK});
        }
        section(sb, "tlb", tlb);

        if (r.ksm() != null) {
            // KSM (issue 11): /sys/kernel/mm/ksm
            List<String[]> ksm = new ArrayList<>();
            for (Map.Entry<String, Long> e : r.ksm().counters().entrySet()) {
                ksm.add(new String[] {e.getKey(), count(e.getValue())});
            }
            List<Long> ends = r.ksm().fullScanEndNs();
            if (!ends.isEmpty()) {
                ksm.add(new String[] {"first full scans ended at", ends.subList(0, Math.min(3, ends.size())).stream()
                        .map(TextReport::duration).reduce((a, b) -> a + ", " + b).orElse("")});
            }
            section(sb, "ksm (/sys/kernel/mm/ksm)", ksm);
        }
        if (r.migration() != null) {
            migration(sb, r.migration()); // live migration (issue 12)
        }

        if (!r.nestedWalk().isEmpty()) {
            sb.append("\nnested walk (memory references of one walk, cold caches)\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"mode", "levels", "guest page", "host page", "walk refs"});
            for (RunResult.NestedWalkRow w : r.nestedWalk()) {
                rows.add(new String[] {w.mode(), Integer.toString(w.levels()), w.guestPage(),
                        w.hostPage() == null ? "-" : w.hostPage(), count(w.walkRefs())});
            }
            table(sb, rows, new boolean[] {false, true, true, true, true});
        }
        if (!r.files().isEmpty()) {
            sb.append("\npage cache by file\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"  file", "pages", "reads", "writes", "hits", "misses", "hit ratio", "warm ratio", "refaults", "resident"});
            for (RunResult.FileResult f : r.files()) {
                rows.add(new String[] {"  " + f.name(), count(f.pages()), count(f.reads()), count(f.writes()), count(f.hits()),
                        count(f.misses()), String.format(Locale.ROOT, "%.4f", f.hitRatio()),
                        String.format(Locale.ROOT, "%.4f", f.warmHitRatio()), count(f.refaults()),
                        count(f.resident())});
            }
            table(sb, rows, new boolean[] {false, true, true, true, true, true, true, true, true, true});
        }
        if (!r.cgroups().isEmpty()) {
            sb.append("\nmemory cgroups\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"  cgroup", "current kB", "peak kB", "max kB", "high kB", "events high/max/oom/kill",
                    "pgscan", "pgsteal"});
            for (Map.Entry<String, Map<String, Long>> e : r.cgroups().entrySet()) {
                Map<String, Long> c = e.getValue();
                rows.add(new String[] {"  " + e.getKey(), count(c.get("memory.current") >> 10), count(c.get("memory.peak") >> 10),
                        c.containsKey("memory.max") ? count(c.get("memory.max") >> 10) : "max",
                        c.containsKey("memory.high") ? count(c.get("memory.high") >> 10) : "max",
                        c.get("events.high") + "/" + c.get("events.max") + "/" + c.get("events.oom") + "/" + c.get("events.oom_kill"),
                        count(c.get("pgscan")), count(c.get("pgsteal"))});
            }
            table(sb, rows, new boolean[] {false, true, true, true, true, true, true, true});
        }
        if (!r.numa().isEmpty()) {
            sb.append("\nnuma (local ratio ").append(String.format(Locale.ROOT, "%.4f", r.localAccessRatio())).append(")\n");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"  node", "local accesses", "remote accesses", "local ratio", "anon pages", "file pages"});
            for (RunResult.NumaNode n : r.numa()) {
                long all = n.localAccesses() + n.remoteAccesses();
                rows.add(new String[] {"  " + n.node(), count(n.localAccesses()), count(n.remoteAccesses()),
                        all == 0 ? "-" : String.format(Locale.ROOT, "%.4f", (double) n.localAccesses() / all),
                        count(n.anonPages()), count(n.filePages())});
            }
            table(sb, rows, new boolean[] {false, true, true, true, true, true});
            for (Map.Entry<String, Long> e : r.numaCounters().entrySet()) {
                sb.append("  ").append(e.getKey()).append("  ").append(count(e.getValue())).append('\n');
            }
        }
        if (!r.oomKills().isEmpty()) {
            sb.append("\noom kills\n");
            for (String kill : r.oomKills()) {
                sb.append("  ").append(kill).append('\n');
            }
        }
        return sb.toString();
    }

    /** The live-migration section (issue 12). */
    private static void migration(StringBuilder sb, RunResult.MigrationResult m) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"mode", m.mode() + " (policy " + m.policy() + ")"});
        rows.add(new String[] {"completed", m.completed() ? "yes (" + m.outcome() + ")"
                : "no (" + m.outcome() + (m.outcome().equals("max_rounds")
                ? ": precopy did not converge in " + m.rounds() + " rounds; the guest still runs on the source)"
                : ": the policy left pages unsent)")});
        rows.add(new String[] {"total time", duration(m.totalTimeNs())});
        rows.add(new String[] {"downtime", duration(m.downtimeNs())});
        rows.add(new String[] {"precopy rounds", count(m.rounds())});
        if (!m.roundPages().isEmpty()) {
            List<Long> rp = m.roundPages();
            String shown = rp.subList(0, Math.min(6, rp.size())).stream().map(TextReport::count)
                    .reduce((a, b) -> a + ", " + b).orElse("") + (rp.size() > 6 ? ", ... " + count(rp.get(rp.size() - 1)) : "");
            rows.add(new String[] {"pages per round", shown});
        }
        rows.add(new String[] {"stop-and-copy pages", count(m.stopCopyPages())});
        rows.add(new String[] {"postcopy pages", count(m.postcopyPages())});
        rows.add(new String[] {"pages sent", count(m.pagesSent()) + " (" + count(m.bytesSent()) + " bytes)"});
        rows.add(new String[] {"remote faults", count(m.remoteFaults())});
        if (m.remoteFaults() > 0) {
            rows.add(new String[] {"remote fault wait", "p50 " + duration(m.latencyP50Ns()) + ", p99 "
                    + duration(m.latencyP99Ns()) + ", max " + duration(m.latencyMaxNs())});
        }
        section(sb, "live migration", rows);
    }

    private static void section(StringBuilder sb, String title, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sb.append('\n').append(title).append('\n');
        List<String[]> indented = new ArrayList<>();
        for (String[] r : rows) {
            String[] x = new String[r.length];
            for (int i = 0; i < r.length; i++) {
                x[i] = i == 0 ? "  " + r[i] : r[i];
            }
            indented.add(x);
        }
        boolean[] right = new boolean[rows.get(0).length];
        for (int i = 1; i < right.length; i++) {
            right[i] = i == 1;
        }
        table(sb, indented, right);
    }

    /** Appends rows as columns two spaces apart; right-aligned columns are marked in {@code right}. */
    static void table(StringBuilder sb, List<String[]> rows, boolean[] right) {
        int cols = right.length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(width[i] - row[i].length());
                line.append(right[i] ? pad + row[i] : row[i] + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** Simulated nanoseconds with a readable unit: {@code 850 ns}, {@code 12.345 us}, {@code 1.200 s}. */
    static String duration(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.3f us", ns / 1e3);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String perRef(long ns, long refs) {
        return refs == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) ns / refs);
    }
}
