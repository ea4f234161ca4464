package io.vmsim.cli.report;

import io.vmsim.core.mrc.MrcStudy;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.data.Range;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mrc --plot F.png}: the miss-ratio axis fits the data, and the curves fill the plot. */
final class MrcPngTest {
    /** Misses of exact LRU on {@code trace} with {@code frames} frames, by brute force. */
    private static long lruMisses(int[] trace, int frames) {
        List<Integer> stack = new ArrayList<>(); // most recent last
        long misses = 0;
        for (int p : trace) {
            if (!stack.remove((Integer) p)) {
                misses++;
                if (stack.size() == frames) {
                    stack.remove(0);
                }
            }
            stack.add(p);
        }
        return misses;
    }

    private static MrcStudy.Outcome outcome() {
        int[] trace = {1, 2, 3, 1, 4, 1, 2, 5, 1, 2, 3, 4, 5, 1, 1, 2};
        List<MrcStudy.Result> rs = new ArrayList<>();
        for (int f : new int[] {1, 2, 3, 4, 5}) {
            rs.add(new MrcStudy.Result("lru", f, lruMisses(trace, f), trace.length));
        }
        return new MrcStudy.Outcome("test", trace.length, 5, rs);
    }

    @Test
    void yAxis_spansTheDataWithAMargin_notZeroToOne() {
        MrcStudy.Outcome o = outcome();
        double min = o.results().stream().mapToDouble(MrcStudy.Result::missRatio).min().orElseThrow();
        double max = o.results().stream().mapToDouble(MrcStudy.Result::missRatio).max().orElseThrow();
        assertThat(max - min).as("the test's data vary").isGreaterThan(0.1).isLessThan(0.8);
        Range y = MrcPng.chart(o).getXYPlot().getRangeAxis().getRange();
        assertThat(y.getLowerBound()).isLessThanOrEqualTo(min).isGreaterThanOrEqualTo(min - 0.1 * (max - min));
        assertThat(y.getUpperBound()).isGreaterThanOrEqualTo(max).isLessThanOrEqualTo(max + 0.1 * (max - min));
    }

    @Test
    void flatCurve_getsARangeAroundItsValue() {
        Range r = MrcPng.yRange(0.4, 0.4);
        assertThat(r.getLowerBound()).isLessThan(0.4);
        assertThat(r.getUpperBound()).isGreaterThan(0.4);
        assertThat(MrcPng.yRange(0, 0).getLowerBound()).isZero();
        assertThat(MrcPng.yRange(0.9, 1.0).getUpperBound()).isEqualTo(1.0);
    }

    @Test
    void theCurve_spansMostOfThePlotAreaHeight() {
        System.setProperty("java.awt.headless", "true");
        JFreeChart chart = MrcPng.chart(outcome());
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage img = chart.createBufferedImage(MrcPng.WIDTH, MrcPng.HEIGHT, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        Color paint = (Color) chart.getXYPlot().getRenderer().getItemPaint(0, 0);
        int top = Integer.MAX_VALUE;
        int bottom = -1;
        for (int y = (int) area.getMinY(); y < (int) area.getMaxY(); y++) {
            for (int x = (int) area.getMinX(); x < (int) area.getMaxX(); x++) {
                if (img.getRGB(x, y) == paint.getRGB()) {
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        assertThat(bottom).as("the curve's colour in the plot area").isPositive();
        assertThat((bottom - top) / area.getHeight()).as("share of the plot height the curve spans").isGreaterThan(0.8);
    }
}
