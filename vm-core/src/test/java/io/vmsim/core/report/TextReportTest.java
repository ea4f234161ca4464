package io.vmsim.core.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    private static RunResult withReclaim(Map<String, Long> extraCounters, Map<String, Map<String, Long>> cgroups) {
        RunResult r = Results.sample(false);
        Map<String, Long> counters = new LinkedHashMap<>(r.counters());
        counters.putAll(extraCounters);
        return new RunResult(r.workload(), counters, r.meminfo(), r.tlb(), r.timeNs(), r.refs(), r.phases(), r.nestedWalk(),
                r.buddyinfo(), r.config(), r.files(), r.oomKills(), cgroups);
    }

    @Test
    void aRunThatNeverReclaimed_saysSoInTheSummaryAndTheJson() {
        RunResult r = withReclaim(Map.of("pgscan_kswapd", 0L, "pgscan_direct", 0L, "pgsteal_kswapd", 0L), Map.of());
        assertThat(r.reclaimRan()).isFalse();
        // MemTotal 4,194,304 kB = 4,096 MiB
        assertThat(TextReport.render(r))
                .contains("reclaim never ran: memory (4,096 MiB) held the whole footprint; the reclaim policy made no decision\n");
        assertThat(JsonWriter.toJson(r)).contains("\"reclaim_ran\": false,");
    }

    @Test
    void aRunThatReclaimed_byKswapdDirectlyOrAtACgroupLimit_saysNothingOfIt() {
        List<RunResult> ran = List.of(
                withReclaim(Map.of("pgscan_kswapd", 32L), Map.of()),
                withReclaim(Map.of("pgscan_direct", 1L), Map.of()),
                withReclaim(Map.of("pgscan_kswapd", 0L), Map.of("db", Map.of("memory.current", 4096L, "memory.peak", 8192L,
                        "events.high", 0L, "events.max", 1L, "events.oom", 0L, "events.oom_kill", 0L, "pgscan", 5L, "pgsteal", 5L))));
        for (RunResult r : ran) {
            assertThat(r.reclaimRan()).isTrue();
            assertThat(TextReport.render(r)).doesNotContain("reclaim never ran");
            assertThat(JsonWriter.toJson(r)).contains("\"reclaim_ran\": true,");
        }
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
