package io.vmsim.cli.report;

import java.nio.file.Path;

/** The results.jsonl of {@link SweepReportTest}, for tests in other packages. */
public final class SweepReportFixture {
    private SweepReportFixture() {
    }

    public static Path writeResults(Path dir) throws Exception {
        return SweepReportTest.writeResults(dir);
    }
}
