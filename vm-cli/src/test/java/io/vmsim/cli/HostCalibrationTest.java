package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prediction of {@code conformance/calibration/README.md}: {@code largepages3} (3 GiB) run
 * with {@code conformance/calibration/host.yaml} (cost keys derived from microbenchmarks only)
 * stands against the C port's measured CPU times (the independent figures: medians of the
 * port's runs in {@code largepages3.json}) no worse than the README's CPU-time table reports,
 * row by row (each error at most the reported one, rounded up to the next whole percent, or to
 * the next 0.01 for ratios), and at least as many rows meet the goal as it reports: 9 of 10
 * times within 15%, 4 of 5 on/off ratios within 0.05 (run 6 of the README). A model change that
 * worsens the prediction fails here (charging the walks of the one-byte-per-page loop in full
 * again, {@code cost.walk_miss_overlap} 0, predicts that loop with THP off at +126.7% and
 * +133.3% and fails its error bounds); one that improves it should update the README.
 */
final class HostCalibrationTest {
    private static final Path HOST = Path.of(System.getProperty("vmsim.calibration.host",
            "../conformance/calibration/host.yaml"));

    /** The README's errors against the measured medians, as bounds: |predicted / measured - 1|. */
    static final double[] ERROR_ON = {0.57, 0.14, 0.03, 0.08, 0.10};
    static final double[] ERROR_OFF = {0.04, 0.09, 0.08, 0.10, 0.14};
    /** The README's on/off ratio differences, as bounds. */
    static final double[] RATIO_DIFF = {0.37, 0.05, 0.04, 0.02, 0.03};
    /** Medians of the port's CPU time per phase (cpu_us) over the runs in conformance/calibration/largepages3.json, microseconds. */
    static final double[] MEASURED_ON = {5_847_618, 70_955, 62_548, 13_585, 13_362};
    static final double[] MEASURED_OFF = {9_364_117, 90_662, 89_026, 15_921, 15_472};
    /** How many of the README's times are within 15%, and ratios within 0.05. */
    static final int TIMES_WITHIN = 9;
    static final int RATIOS_WITHIN = 4;

    @TempDir
    Path dir;

    private double[] run(String enabled) throws Exception {
        Path json = dir.resolve(enabled + ".json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "run", "--scenario", "largepages3",
                "--config", HOST.toString(), "--set", "mm.transparent_hugepage.enabled=" + enabled,
                "--json", json.toString());
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String s = Files.readString(json);
        String phases = s.substring(s.indexOf("\"phases\""));
        Matcher m = Pattern.compile("\"time_ns\"\\s*:\\s*(\\d+)").matcher(phases);
        double[] us = new double[5];
        for (int i = 0; i < 5; i++) {
            assertThat(m.find()).as("phase %d in %s", i, json).isTrue();
            us[i] = Long.parseLong(m.group(1)) / 1000.0;
        }
        return us;
    }

    @Test
    void largepages3_withTheHostProfile_predictsWhatTheReadmeReports() throws Exception {
        assertThat(HOST).as("conformance/calibration/host.yaml").exists();
        double[] on = run("always");
        double[] off = run("never");
        int timesWithin = 0;
        int ratiosWithin = 0;
        for (int i = 0; i < 5; i++) {
            assertThat(Math.abs(on[i] / MEASURED_ON[i] - 1)).as("THP on, phase %d: error", i).isLessThanOrEqualTo(ERROR_ON[i]);
            assertThat(Math.abs(off[i] / MEASURED_OFF[i] - 1)).as("THP off, phase %d: error", i).isLessThanOrEqualTo(ERROR_OFF[i]);
            assertThat(Math.abs(on[i] / off[i] - MEASURED_ON[i] / MEASURED_OFF[i])).as("phase %d: ratio difference", i)
                    .isLessThanOrEqualTo(RATIO_DIFF[i]);
            timesWithin += Math.abs(on[i] / MEASURED_ON[i] - 1) <= 0.15 ? 1 : 0;
            timesWithin += Math.abs(off[i] / MEASURED_OFF[i] - 1) <= 0.15 ? 1 : 0;
            ratiosWithin += Math.abs(on[i] / off[i] - MEASURED_ON[i] / MEASURED_OFF[i]) <= 0.05 ? 1 : 0;
        }
        assertThat(timesWithin).as("times within 15% of measured").isGreaterThanOrEqualTo(TIMES_WITHIN);
        assertThat(ratiosWithin).as("on/off ratios within 0.05 of measured").isGreaterThanOrEqualTo(RATIOS_WITHIN);
    }
}
