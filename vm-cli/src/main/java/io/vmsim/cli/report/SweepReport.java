package io.vmsim.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HTML report of a sweep (issue 14), built from its {@code DIR/results.jsonl}: one chart per
 * varied key, the key's values on the x axis, one line per workload and combination of the other
 * varied keys, each point the mean of a metric over the repeats (seeds) that finished; a
 * selector switches the metric of every chart. Then a table of every point, failed ones with
 * their error. See docs/reports.md for the format of {@code results.jsonl}.
 */
public final class SweepReport {
    /**
     * The metric shown first: the first of these, in this order of preference, that varies across
     * the finished points; else the first by name that varies; else the first of these present,
     * else the first by name. A metric every point has the same value of draws flat lines.
     */
    static final List<String> PREFERRED = List.of("miss_ratio", "pgmajfault", "workingset_refault_file",
            "workingset_refault_anon", "pswpin", "pgfault", "time_ns");

    private SweepReport() {
    }

    /** Reads {@code dir/results.jsonl} and writes the report to {@code html}. */
    public static void write(Path dir, Path html) throws IOException {
        Files.writeString(html, render(dir), StandardCharsets.UTF_8);
    }

    /** The report of {@code dir} as a string (deterministic). */
    public static String render(Path dir) throws IOException {
        return page(dir, read(dir.resolve("results.jsonl"))).render();
    }

    /** The number of charts the report of these points holds: one per varied key, or one by workload. */
    public static int chartCount(List<Map<String, Object>> points) {
        int n = varied(points).size();
        return n == 0 ? 1 : n;
    }

    /** The points of a results.jsonl, in file order; blank lines are skipped. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> read(Path jsonl) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("'" + jsonl + "' does not exist: not a sweep's output folder");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty()) {
                continue;
            }
            Object v;
            try {
                v = Json.parse(l);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": " + e.getMessage());
            }
            if (!(v instanceof Map)) {
                throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": a JSON object expected");
            }
            out.add((Map<String, Object>) v);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> p, String key) {
        Object v = p.get(key);
        return v instanceof Map ? (Map<String, Object>) v : Map.of();
    }

    private static String str(Object o) {
        return o == null ? "" : o instanceof Double d ? Json.number(d) : o.toString();
    }

    static List<String> varied(List<Map<String, Object>> points) {
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> p : points) {
            keys.addAll(map(p, "vary").keySet());
        }
        return new ArrayList<>(keys);
    }

    static String defaultMetric(List<Map<String, Object>> points, List<String> metrics) {
        for (String m : PREFERRED) {
            if (metrics.contains(m) && varies(points, m)) {
                return m;
            }
        }
        for (String m : metrics) {
            if (varies(points, m)) {
                return m;
            }
        }
        for (String m : PREFERRED) {
            if (metrics.contains(m)) {
                return m;
            }
        }
        return metrics.isEmpty() ? "" : metrics.get(0);
    }

    /** True if two finished points have different values of {@code metric}. */
    private static boolean varies(List<Map<String, Object>> points, String metric) {
        Object first = null;
        for (Map<String, Object> p : points) {
            if (!ok(p)) {
                continue;
            }
            Object v = map(p, "metrics").get(metric);
            if (!(v instanceof Number n)) {
                continue;
            }
            double d = n.doubleValue();
            if (first == null) {
                first = d;
            } else if ((Double) first != d) {
                return true;
            }
        }
        return false;
    }

    private static boolean ok(Map<String, Object> p) {
        return "ok".equals(p.get("status"));
    }

    static HtmlPage page(Path dir, List<Map<String, Object>> points) {
        List<String> keys = varied(points);
        Set<String> workloads = new LinkedHashSet<>();
        Set<String> metricSet = new TreeSet<>();
        int failed = 0;
        for (Map<String, Object> p : points) {
            workloads.add(str(p.get("workload")));
            metricSet.addAll(map(p, "metrics").keySet());
            failed += ok(p) ? 0 : 1;
        }
        List<String> metrics = new ArrayList<>(metricSet);
        String dflt = defaultMetric(points, metrics);
        HtmlPage page = new HtmlPage("vmsim sweep: " + dir.getFileName());
        page.para(String.format(Locale.ROOT, "%d points (%d failed) over %d workload%s; varied: %s. Each chart point is the"
                        + " mean over the repeats that finished.", points.size(), failed, workloads.size(),
                workloads.size() == 1 ? "" : "s", keys.isEmpty() ? "nothing" : String.join(", ", keys)));
        StringBuilder sel = new StringBuilder("<p><label>metric <select id=\"metric\">");
        for (String m : metrics) {
            sel.append("<option value=\"").append(HtmlPage.esc(m)).append("\">").append(HtmlPage.esc(m)).append("</option>");
        }
        sel.append("</select></label></p>\n");
        page.raw(sel.toString());
        page.data("defaultMetric", dflt);
        page.data("metrics", metrics);
        if (keys.isEmpty()) {
            page.chart(chart(points, null, keys, workloads, metrics), "Each workload's mean.");
        } else {
            for (String k : keys) {
                page.chart(chart(points, k, keys, workloads, metrics), "The metric against " + k
                        + ", one line per workload and value of the other varied keys.");
            }
        }
        page.heading("Points");
        List<String> header = new ArrayList<>(List.of("index", "point", "workload", "repeat", "seed"));
        header.addAll(keys);
        header.add("status");
        header.add("error");
        header.addAll(metrics);
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> p : points) {
            List<String> r = new ArrayList<>(List.of(str(p.get("index")), str(p.get("point")), str(p.get("workload")),
                    str(p.get("repeat")), str(p.get("seed"))));
            Map<String, Object> vary = map(p, "vary");
            for (String k : keys) {
                r.add(str(vary.get(k)));
            }
            r.add(str(p.get("status")));
            r.add(str(p.get("error")));
            Map<String, Object> ms = map(p, "metrics");
            for (String m : metrics) {
                r.add(str(ms.get(m)));
            }
            rows.add(r);
        }
        page.table(header, rows);
        return page;
    }

    /** One chart: x = the values of {@code key} (or the workloads), a line per other combination, per metric. */
    private static Map<String, Object> chart(List<Map<String, Object>> points, String key, List<String> keys,
                                             Set<String> workloads, List<String> metrics) {
        List<String> cats = new ArrayList<>();
        Map<String, List<Map<String, Object>>> lines = new LinkedHashMap<>();
        for (Map<String, Object> p : points) {
            Map<String, Object> vary = map(p, "vary");
            String x = key == null ? str(p.get("workload")) : str(vary.get(key));
            if (!cats.contains(x)) {
                cats.add(x);
            }
            StringBuilder label = new StringBuilder();
            if (key != null && workloads.size() > 1) {
                label.append(str(p.get("workload")));
            }
            for (String k : keys) {
                if (!k.equals(key)) {
                    label.append(label.length() == 0 ? "" : ", ").append(k).append('=').append(str(vary.get(k)));
                }
            }
            String name = label.length() == 0 ? (key == null ? "mean" : str(p.get("workload"))) : label.toString();
            lines.computeIfAbsent(name, n -> new ArrayList<>()).add(p);
        }
        Map<String, Object> byMetric = new LinkedHashMap<>();
        for (String m : metrics) {
            List<Object> series = new ArrayList<>();
            for (Map.Entry<String, List<Map<String, Object>>> e : lines.entrySet()) {
                double[] sum = new double[cats.size()];
                int[] n = new int[cats.size()];
                for (Map<String, Object> p : e.getValue()) {
                    Object v = map(p, "metrics").get(m);
                    if (ok(p) && v instanceof Number num) {
                        int c = cats.indexOf(key == null ? str(p.get("workload")) : str(map(p, "vary").get(key)));
                        sum[c] += num.doubleValue();
                        n[c]++;
                    }
                }
                List<Object> ys = new ArrayList<>();
                for (int c = 0; c < cats.size(); c++) {
                    ys.add(n[c] == 0 ? null : sum[c] / n[c]);
                }
                series.add(Json.obj("name", e.getKey(), "data", ys));
            }
            byMetric.put(m, series);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("title", key == null ? "by workload" : "by " + key);
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("name", key == null ? "workload" : key);
        x.put("type", "category");
        x.put("categories", cats);
        c.put("x", x);
        c.put("y", Json.obj("name", ""));
        c.put("byMetric", byMetric);
        return c;
    }
}
