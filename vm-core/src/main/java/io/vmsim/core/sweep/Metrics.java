package io.vmsim.core.sweep;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one point that go into {@code results.csv} and {@code results.jsonl}, taken from
 * the point's JSON tree (so that a point read back from its file gives the same figures as when
 * it ran). Wall time is not among them: it differs from run to run, and the results of a sweep
 * must be the same bytes on every engine; it stays in the per-point file ({@code wall_ms}).
 *
 * <p>A run gives {@code time_ns} (simulated), {@code refs}, the {@code /proc/vmstat} counters of
 * {@link #COUNTERS} that it reports, and for each page-cache file {@code file.NAME.hits},
 * {@code .misses}, {@code .hit_ratio}, {@code .refaults}; on more than one NUMA node
 * {@code numa.local_access_ratio}. An {@code --mrc} study gives {@code misses.POLICY.FRAMES} and
 * {@code miss_ratio.POLICY.FRAMES} for each pair, and {@code refs}.
 */
public final class Metrics {
    /** The vmstat counters a sweep keeps (mm/vmstat.c names). */
    public static final List<String> COUNTERS = List.of(
            "pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin", "pswpout",
            "pgactivate", "pgdeactivate",
            "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "pgsteal_anon", "pgsteal_file",
            "allocstall", "pageoutrun",
            "workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
            "workingset_restore_anon", "workingset_restore_file",
            "oom_kill", "thp_fault_alloc", "thp_fault_fallback", "compact_stall",
            "numa_hint_faults", "numa_pages_migrated", "pgpromote_success", "pgdemote_kswapd");

    private Metrics() {
    }

    /** The metrics of a run's JSON tree, sorted by name. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> ofRun(Map<String, Object> tree) {
        Map<String, Object> m = new TreeMap<>();
        put(m, "time_ns", tree.get("time_ns"));
        put(m, "refs", tree.get("refs"));
        if (tree.get("counters") instanceof Map<?, ?> c) {
            for (String k : COUNTERS) {
                put(m, k, c.get(k));
            }
        }
        if (tree.get("page_cache_files") instanceof List<?> files) {
            for (Object o : files) {
                Map<String, Object> f = (Map<String, Object>) o;
                String p = "file." + f.get("name") + ".";
                put(m, p + "hits", f.get("hits"));
                put(m, p + "misses", f.get("misses"));
                put(m, p + "hit_ratio", f.get("hit_ratio"));
                put(m, p + "refaults", f.get("refaults"));
            }
        }
        if (tree.get("numa") instanceof Map<?, ?> n) {
            put(m, "numa.local_access_ratio", n.get("local_access_ratio"));
        }
        return m;
    }

    /** The metrics of an {@code --mrc} study's JSON tree, sorted by name. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> ofMrc(Map<String, Object> tree) {
        Map<String, Object> m = new TreeMap<>();
        put(m, "refs", tree.get("refs"));
        if (tree.get("results") instanceof List<?> rows) {
            for (Object o : rows) {
                Map<String, Object> r = (Map<String, Object>) o;
                String s = r.get("policy") + "." + r.get("frames");
                put(m, "misses." + s, r.get("misses"));
                put(m, "miss_ratio." + s, r.get("miss_ratio"));
            }
        }
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v instanceof Integer i) {
            m.put(k, (long) i);
        } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return; // JSON has no NaN: the point's file holds null, and a point read back must give the same row
        } else if (v instanceof Float f) {
            m.put(k, (double) f);
        } else if (v instanceof Number) {
            m.put(k, v);
        }
    }
}
