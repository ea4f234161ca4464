package io.vmsim.cli.report;

import io.vmsim.core.mrc.MrcStudy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTML report of {@code vmsim mrc --report F.html} (issue 14): the miss-ratio curves (frames
 * on a log axis), the misses, the table of results and each policy's record.
 */
public final class MrcReport {
    /** The charts an mrc report holds, in order. */
    public static final List<String> CHARTS = List.of("Miss ratio", "Misses");

    private MrcReport() {
    }

    public static void write(MrcStudy.Outcome o, Path file) throws IOException {
        page(o).write(file);
    }

    public static String render(MrcStudy.Outcome o) {
        return page(o).render();
    }

    static HtmlPage page(MrcStudy.Outcome o) {
        HtmlPage p = new HtmlPage("vmsim mrc: " + o.trace());
        p.para(String.format(Locale.ROOT, "%,d references, %,d distinct pages; %s engine, seed %d%s.", o.refs(),
                o.distinctPages(), o.engine().name().toLowerCase(Locale.ROOT), o.seed(),
                o.interrupted() ? "; interrupted: only the pairs that finished" : ""));
        Map<String, List<MrcStudy.Result>> byPolicy = MrcPng.byPolicy(o);
        List<Map<String, Object>> ratio = new ArrayList<>();
        List<Map<String, Object>> misses = new ArrayList<>();
        for (Map.Entry<String, List<MrcStudy.Result>> e : byPolicy.entrySet()) {
            List<double[]> r = new ArrayList<>();
            List<double[]> m = new ArrayList<>();
            for (MrcStudy.Result x : e.getValue()) {
                r.add(new double[] {x.frames(), x.missRatio()});
                m.add(new double[] {x.frames(), x.misses()});
            }
            ratio.add(Json.obj("name", e.getKey(), "data", r));
            misses.add(Json.obj("name", e.getKey(), "data", m));
        }
        p.chart(chart(CHARTS.get(0), "miss ratio", ratio), "Misses per reference, cold misses included, against the frames"
                + " the policy had (log scale); the y axis fits the data.");
        p.chart(chart(CHARTS.get(1), "misses", misses), "The same as counts.");
        List<List<String>> rows = new ArrayList<>();
        for (MrcStudy.Result r : o.results()) {
            rows.add(List.of(r.policy(), Integer.toString(r.frames()), Long.toString(r.misses()),
                    String.format(Locale.ROOT, "%.6f", r.missRatio())));
        }
        p.heading("Results");
        p.table(List.of("policy", "frames", "misses", "miss ratio"), rows);
        List<List<String>> ps = new ArrayList<>();
        for (MrcStudy.PolicyInfo pi : o.policies()) {
            ps.add(List.of(pi.label(), pi.name(), pi.version(), pi.origin(), pi.settings().toString()));
        }
        p.heading("Policies");
        p.table(List.of("policy", "provider", "version", "origin", "settings"), ps);
        return p;
    }

    private static Map<String, Object> chart(String title, String yName, List<Map<String, Object>> series) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("title", title);
        c.put("x", Json.obj("name", "frames (log scale)", "type", "log"));
        c.put("y", Json.obj("name", yName));
        c.put("series", series);
        return c;
    }
}
