package io.vmsim.core.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link RunResult} as one JSON object, deterministically: keys in insertion order,
 * integers as integers, doubles in plain decimal notation (shortest round-trip digits, never an
 * exponent), strings escaped per RFC 8259. The same result always gives the same bytes, so runs
 * can be compared with {@code diff}. Hand-written to keep the core free of a JSON library.
 *
 * <p>Top-level keys, in order: {@code workload}, {@code interrupted} (only when true),
 * {@code time_ns}, {@code refs}, {@code reclaim_ran}, {@code warnings}, {@code counters},
 * {@code meminfo}, {@code tlb}, {@code phases}, {@code nested_walk} (only when non-empty),
 * {@code buddyinfo}, {@code config}; {@code ksm} (when ksmd ran) after {@code tlb}, then
 * {@code migration} (when a scenario migrated a guest, issue 12).
 */
public final class JsonWriter {
    private static final String INDENT = "  ";

    private JsonWriter() {
    }

    /** The JSON text of a result, ending with a newline. */
    public static String toJson(RunResult r) {
        StringBuilder sb = new StringBuilder(4096);
        write(r, sb);
        return sb.toString();
    }

    /** Writes the JSON text of a result, ending with a newline, to {@code out}. */
    public static void write(RunResult r, Appendable out) {
        try {
            value(out, toTree(r), 0, false);
            out.append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Renders any tree of {@link Map}s (in their iteration order), {@link List}s, strings,
     * numbers, booleans and nulls in the same format, ending with a newline; for other
     * commands' JSON output ({@code vmsim policies --json}).
     */
    public static String render(Object tree) {
        StringBuilder sb = new StringBuilder(1024);
        try {
            value(sb, tree, 0, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.append('\n').toString();
    }

    /**
     * Writes {@code tree} as {@link #render} renders it, ending with a newline, to {@code out} as
     * it goes: no text of the whole document is held (a list may be a view that builds each
     * element when asked, as {@code vmsim mrc --json} does for a curve of a million sizes).
     */
    public static void write(Object tree, Appendable out) {
        try {
            value(out, tree, 0, false);
            out.append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code migration} section (issue 12; docs/migration.md). */
    static Map<String, Object> migration(RunResult.MigrationResult m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", m.mode());
        out.put("policy", m.policy());
        out.put("completed", m.completed());
        out.put("outcome", m.outcome());
        out.put("total_time_ns", m.totalTimeNs());
        out.put("downtime_ns", m.downtimeNs());
        out.put("rounds", m.rounds());
        out.put("round_pages", m.roundPages());
        out.put("stop_copy_pages", m.stopCopyPages());
        out.put("postcopy_pages", m.postcopyPages());
        out.put("pages_sent", m.pagesSent());
        out.put("bytes_sent", m.bytesSent());
        out.put("remote_faults", m.remoteFaults());
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("p50", m.latencyP50Ns());
        lat.put("p99", m.latencyP99Ns());
        lat.put("max", m.latencyMaxNs());
        out.put("remote_fault_latency_ns", lat);
        return out;
    }

    /** The result as ordered maps, lists and scalars. */
    public static Map<String, Object> toTree(RunResult r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("workload", r.workload());
        if (r.interrupted()) {
            root.put("interrupted", true);
        }
        root.put("time_ns", r.timeNs());
        root.put("refs", r.refs());
        root.put("reclaim_ran", r.reclaimRan());
        root.put("warnings", r.warnings());
        root.put("counters", r.counters());
        root.put("meminfo", r.meminfo());
        root.put("tlb", r.tlb());
        if (r.ksm() != null) {
            Map<String, Object> ksm = new LinkedHashMap<>(r.ksm().counters());
            ksm.put("full_scan_end_ns", r.ksm().fullScanEndNs());
            root.put("ksm", ksm);
        }
        if (r.migration() != null) {
            root.put("migration", migration(r.migration()));
        }
        List<Object> phases = new ArrayList<>();
        for (RunResult.PhaseResult p : r.phases()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("time_ns", p.timeNs());
            m.put("refs", p.refs());
            phases.add(m);
        }
        root.put("phases", phases);
        if (!r.nestedWalk().isEmpty()) {
            List<Object> rows = new ArrayList<>();
            for (RunResult.NestedWalkRow w : r.nestedWalk()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mode", w.mode());
                m.put("levels", w.levels());
                m.put("guest_page", w.guestPage());
                m.put("host_page", w.hostPage());
                m.put("walk_refs", w.walkRefs());
                rows.add(m);
            }
            root.put("nested_walk", rows);
        }
        if (!r.files().isEmpty()) {
            List<Object> files = new ArrayList<>();
            for (RunResult.FileResult f : r.files()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", f.name());
                m.put("pages", f.pages());
                m.put("reads", f.reads());
                m.put("writes", f.writes());
                m.put("hits", f.hits());
                m.put("misses", f.misses());
                m.put("cold_misses", f.coldMisses());
                m.put("hit_ratio", f.hitRatio());
                m.put("warm_hit_ratio", f.warmHitRatio());
                m.put("refaults", f.refaults());
                m.put("readahead", f.readahead());
                m.put("resident", f.resident());
                files.add(m);
            }
            root.put("page_cache_files", files);
        }
        if (!r.oomKills().isEmpty()) {
            root.put("oom_kills", r.oomKills());
        }
        if (!r.cgroups().isEmpty()) {
            root.put("cgroups", r.cgroups());
        }
        if (!r.numa().isEmpty()) {
            // issue 10: per node, then the numa_/pgmigrate_/pgpromote_/pgdemote_ vmstat counters
            Map<String, Object> numa = new LinkedHashMap<>();
            List<Object> nodes = new ArrayList<>();
            for (RunResult.NumaNode n : r.numa()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("node", n.node());
                m.put("local_accesses", n.localAccesses());
                m.put("remote_accesses", n.remoteAccesses());
                m.put("anon_pages", n.anonPages());
                m.put("file_pages", n.filePages());
                nodes.add(m);
            }
            numa.put("nodes", nodes);
            numa.put("local_access_ratio", r.localAccessRatio());
            numa.put("counters", r.numaCounters());
            root.put("numa", numa);
        }
        root.put("buddyinfo", r.buddyinfo());
        root.put("config", r.config());
        return root;
    }

    private static void value(Appendable out, Object v, int depth, boolean inline) throws IOException {
        if (v instanceof Map<?, ?> m) {
            object(out, m, depth, inline);
        } else if (v instanceof List<?> l) {
            array(out, l, depth);
        } else {
            scalar(out, v);
        }
    }

    /** A list element whose members are all scalars goes on one line, like a table row. */
    private static boolean isFlat(Iterable<?> values) {
        for (Object o : values) {
            if (o instanceof Map<?, ?> || o instanceof List<?>) {
                return false;
            }
        }
        return true;
    }

    private static void object(Appendable out, Map<?, ?> m, int depth, boolean inline) throws IOException {
        if (m.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) {
                out.append(inline ? ", " : ",");
            }
            first = false;
            if (!inline) {
                newline(out, depth + 1);
            }
            string(out, String.valueOf(e.getKey()));
            out.append(": ");
            value(out, e.getValue(), depth + 1, inline);
        }
        if (!inline) {
            newline(out, depth);
        }
        out.append('}');
    }

    private static void array(Appendable out, List<?> l, int depth) throws IOException {
        if (l.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            newline(out, depth + 1);
            Object o = l.get(i);
            value(out, o, depth + 1, o instanceof Map<?, ?> m && isFlat(m.values()));
        }
        newline(out, depth);
        out.append(']');
    }

    private static void newline(Appendable out, int depth) throws IOException {
        out.append('\n');
        for (int i = 0; i < depth; i++) {
            out.append(INDENT);
        }
    }

    private static void scalar(Appendable out, Object v) throws IOException {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            out.append(v.toString());
        } else if (v instanceof Double || v instanceof Float) {
            out.append(number(((Number) v).doubleValue()));
        } else if (v instanceof Boolean) {
            out.append(v.toString());
        } else {
            string(out, v.toString());
        }
    }

    /** A double in plain decimal notation; NaN and infinities, which JSON lacks, become null. */
    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        if (d == 0) {
            return "0.0";
        }
        String s = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        return s.contains(".") ? s : s + ".0";
    }

    /** A JSON string literal with RFC 8259 escapes; U+2028/U+2029 too, for JavaScript consumers. */
    static void string(Appendable out, String s) throws IOException {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
