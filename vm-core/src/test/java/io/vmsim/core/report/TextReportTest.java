package io.vmsim.core.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class TextReportTest {

    @Test
    void summary_showsPhasesCountersAndTlb() {
        String text = TextReport.render(Results.sample(false));
        assertThat(text).contains("workload   scenario:largepages3")
                .contains("simulated  2.500 s  (1,000,000 references)")
                .contains("pgfault")
                .contains("1,234")
                .contains("0.100 per 1000 refs")
                .doesNotContain("nested walk");
        assertThat(text).containsSubsequence("phase", "memset", "2.000 s", "600,000", "read", "500.000 ms");
    }

    @Test
    void nestedWalk_isAnAlignedTable() {
        String text = TextReport.render(Results.sample(true));
        String table = text.substring(text.indexOf("nested walk"));
        assertThat(table).contains("""
                mode    levels  guest page  host page  walk refs
                native       4          4K          -          4
                nested       4          4K         4K         24
                """);
    }

    @Test
    void durations_pickAReadableUnit() {
        assertThat(TextReport.duration(850)).isEqualTo("850 ns");
        assertThat(TextReport.duration(12_345)).isEqualTo("12.345 us");
        assertThat(TextReport.duration(1_200_000_000L)).isEqualTo("1.200 s");
    }
}
