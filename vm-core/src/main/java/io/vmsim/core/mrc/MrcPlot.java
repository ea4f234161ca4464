package io.vmsim.core.mrc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the miss-ratio curves of a study as a self-contained SVG: frames on a log-scale x axis,
 * miss ratio (0..max, linear) on the y axis, one polyline and legend entry per policy.
 */
public final class MrcPlot {
    private static final int W = 720;
    private static final int H = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 30;
    private static final int BOTTOM = 50;
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private MrcPlot() {
    }

    /** The SVG document. */
    public static String svg(MrcStudy.Outcome o) {
        Map<String, List<MrcStudy.Result>> byPolicy = new LinkedHashMap<>();
        int minF = Integer.MAX_VALUE;
        int maxF = 1;
        double maxR = 0;
        for (MrcStudy.Result r : o.results()) {
            byPolicy.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
            minF = Math.min(minF, r.frames());
            maxF = Math.max(maxF, r.frames());
            maxR = Math.max(maxR, r.missRatio());
        }
        if (minF == Integer.MAX_VALUE) {
            minF = 1;
        }
        double lo = Math.log10(minF);
        double hi = Math.log10(maxF);
        if (hi - lo < 1e-9) {
            lo -= 0.5;
            hi += 0.5;
        }
        double yMax = maxR <= 0 ? 1.0 : niceCeil(maxR);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder(4096);
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        sb.append("<title>").append(escape("Miss-ratio curves: " + o.trace())).append("</title>\n");
        sb.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\">%s</text>%n", LEFT,
                escape("Miss ratio vs frames — " + o.trace() + " (" + o.refs() + " refs, " + o.distinctPages()
                        + " pages; " + o.engine().name().toLowerCase(Locale.ROOT) + " engine, seed " + o.seed() + ")")));
        // the study's record, as in the JSON: each policy's version, origin and effective settings
        sb.append("<desc>").append(escape(describe(o))).append("</desc>\n");
        // Axes and grid: decades on x, five steps on y.
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"black\"/>%n", LEFT, TOP, pw, ph));
        for (int e = (int) Math.floor(lo); e <= (int) Math.ceil(hi); e++) {
            for (int m = 1; m < 10; m++) {
                double v = Math.log10(m * Math.pow(10, e));
                if (v < lo - 1e-9 || v > hi + 1e-9) {
                    continue;
                }
                double x = LEFT + (v - lo) / (hi - lo) * pw;
                sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                        x, TOP, x, TOP + ph, m == 1 ? "#bbb" : "#eee"));
                if (m == 1) {
                    sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                            x, TOP + ph + 16, (long) Math.pow(10, e)));
                }
            }
        }
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double y = TOP + ph - v / yMax * ph;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    LEFT, y, LEFT + pw, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, trim(v)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">frames (log scale)</text>%n",
                LEFT + pw / 2, H - 10));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 %d)\">miss ratio</text>%n", TOP + ph / 2, TOP + ph / 2));
        int c = 0;
        for (Map.Entry<String, List<MrcStudy.Result>> e : byPolicy.entrySet()) {
            String colour = COLOURS[c % COLOURS.length];
            List<MrcStudy.Result> pts = new ArrayList<>(e.getValue());
            pts.sort((a, b) -> Integer.compare(a.frames(), b.frames()));
            StringBuilder path = new StringBuilder();
            for (MrcStudy.Result r : pts) {
                double x = LEFT + (Math.log10(r.frames()) - lo) / (hi - lo) * pw;
                double y = TOP + ph - r.missRatio() / yMax * ph;
                path.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s</title>"
                        + "</circle>%n", x, y, colour, escape(r.policy() + ", " + r.frames() + " frames: "
                        + String.format(Locale.ROOT, "%.4f", r.missRatio()))));
            }
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path.toString().trim(), colour));
            int ly = TOP + 10 + 18 * c;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>%n", LEFT + pw + 12, ly, LEFT + pw + 32, ly, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s<title>%s</title></text>%n", LEFT + pw + 38,
                    ly + 4, escape(e.getKey()), escape(info(o, e.getKey()))));
            c++;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** An HTML page holding the SVG and a table of the policies' versions and settings. */
    public static String html(MrcStudy.Outcome o) {
        StringBuilder t = new StringBuilder("<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">\n"
                + "<tr><th>policy</th><th>provider</th><th>version</th><th>origin</th><th>settings</th></tr>\n");
        for (MrcStudy.PolicyInfo p : o.policies()) {
            t.append("<tr><td>").append(escape(p.label())).append("</td><td>").append(escape(p.name()))
                    .append("</td><td>").append(escape(p.version())).append("</td><td>").append(escape(p.origin()))
                    .append("</td><td>").append(escape(p.settings().toString())).append("</td></tr>\n");
        }
        t.append("</table>\n<p>").append(escape(o.engine().name().toLowerCase(Locale.ROOT) + " engine, seed " + o.seed()))
                .append("</p>\n");
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape("vmsim mrc: " + o.trace())
                + "</title></head>\n<body>\n" + svg(o) + t + "</body></html>\n";
    }

    /** One line per policy: label = provider version (origin) {settings}. */
    static String describe(MrcStudy.Outcome o) {
        StringBuilder sb = new StringBuilder("engine " + o.engine().name().toLowerCase(Locale.ROOT) + ", seed " + o.seed());
        for (MrcStudy.PolicyInfo p : o.policies()) {
            sb.append("; ").append(p.label()).append(" = ").append(p.name()).append(' ').append(p.version())
                    .append(" (").append(p.origin()).append(") ").append(p.settings());
        }
        return sb.toString();
    }

    private static String info(MrcStudy.Outcome o, String label) {
        for (MrcStudy.PolicyInfo p : o.policies()) {
            if (p.label().equals(label)) {
                return p.name() + " " + p.version() + " (" + p.origin() + ") " + p.settings();
            }
        }
        return label;
    }

    private static double niceCeil(double v) {
        double step = Math.pow(10, Math.floor(Math.log10(v))) / 2;
        return Math.ceil(v / step) * step;
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.4f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
