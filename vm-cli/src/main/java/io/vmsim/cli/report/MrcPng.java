package io.vmsim.cli.report;

import io.vmsim.core.mrc.MrcStudy;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code vmsim mrc --plot F.png}: the miss-ratio curves drawn by JFreeChart, headless. Frames
 * on a log axis; the miss-ratio axis spans the data's minimum to maximum with a margin
 * ({@link #yRange}), so curves that differ by a little still look different.
 */
public final class MrcPng {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;
    /** Fraction of the data's span added below and above it. */
    static final double MARGIN = 0.05;

    private MrcPng() {
    }

    /** The results of each policy, ordered by frames, policies in their first order. */
    static Map<String, List<MrcStudy.Result>> byPolicy(MrcStudy.Outcome o) {
        Map<String, List<MrcStudy.Result>> m = new LinkedHashMap<>();
        for (MrcStudy.Result r : o.results()) {
            m.computeIfAbsent(r.policy(), k -> new ArrayList<>()).add(r);
        }
        for (List<MrcStudy.Result> l : m.values()) {
            l.sort((a, b) -> Integer.compare(a.frames(), b.frames()));
        }
        return m;
    }

    /**
     * The y axis range for miss ratios from {@code min} to {@code max}: the span widened by
     * {@link #MARGIN} of itself on each side, clipped to [0, 1]; a flat curve gets +-0.05 (or
     * +-5% of its value when that is smaller than 0.05 and the value is not 0).
     */
    public static Range yRange(double min, double max) {
        double span = max - min;
        double pad = span > 0 ? span * MARGIN : (min > 0 ? Math.min(0.05, min * 0.05) : 0.05);
        double lo = Math.max(0, min - pad);
        double hi = Math.min(1, max + pad);
        if (hi <= lo) {
            hi = lo + 1e-9;
        }
        return new Range(lo, hi);
    }

    public static JFreeChart chart(MrcStudy.Outcome o) {
        XYSeriesCollection data = new XYSeriesCollection();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int minF = Integer.MAX_VALUE;
        int maxF = 1;
        for (Map.Entry<String, List<MrcStudy.Result>> e : byPolicy(o).entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (MrcStudy.Result r : e.getValue()) {
                s.add(r.frames(), r.missRatio());
                min = Math.min(min, r.missRatio());
                max = Math.max(max, r.missRatio());
                minF = Math.min(minF, r.frames());
                maxF = Math.max(maxF, r.frames());
            }
            data.addSeries(s);
        }
        if (min > max) {
            min = 0;
            max = 1;
            minF = 1;
        }
        JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT, "Miss ratio vs frames: %s (%,d refs, %,d pages)",
                o.trace(), o.refs(), o.distinctPages()), "frames (log scale)", "miss ratio", data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.setAntiAlias(true);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        LogAxis x = new LogAxis("frames (log scale)");
        x.setBase(10);
        x.setSmallestValue(1);
        x.setNumberFormatOverride(new java.text.DecimalFormat("#,##0", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
        double lo = minF;
        double hi = Math.max(maxF, minF + 1);
        x.setRange(lo / 1.15, hi * 1.15);
        if (hi / lo >= 10) {
            // one labelled tick per decade (1, 10, 100...), the others minor
            x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0, x.getNumberFormatOverride(), 9));
            x.setMinorTickMarksVisible(true);
        }
        plot.setDomainAxis(x);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false);
        y.setRange(yRange(min, max));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        return chart;
    }

    /** Writes the PNG. */
    public static void write(MrcStudy.Outcome o, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(file.toFile(), chart(o), WIDTH, HEIGHT);
    }
}
