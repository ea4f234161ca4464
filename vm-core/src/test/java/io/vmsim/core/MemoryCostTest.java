package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioParser;
import io.vmsim.core.time.CostModel;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the cost model charges memory costs: a cache miss that coincides with a TLB miss of the
 * same independent reference ({@code cost.walk_miss_overlap}), and cache misses from the
 * phase's footprint against {@code cpu.cache_size} rather than from its op. Every expected time
 * comes from the charging formula and the cost keys set here:
 * {@code (1 - overlap) * walk + miss} per reference that misses.
 */
final class MemoryCostTest {
    /** 64 MiB of 4 KiB pages: far beyond haswell's 64-entry L1 DTLB and 1024-entry STLB. */
    private static final long N = 16_384;
    private static final long ACCESS_NS = 1;

    private static long phaseNs(String phases, String... kv) throws Exception {
        String yaml = String.join("\n", "name: t", "description: memory costs",
                "processes:", "  - name: p", "    vmas:", "      - { name: a, size: 64M }",
                "phases:", "  - { name: touch, op: sequential, vma: a, stride: 4096, write: true }", phases, "");
        Scenario s = ScenarioParser.parse(new StringReader(yaml), "t.yaml", "t.yaml");
        Map<String, String> cfg = new HashMap<>(Map.of("machine.memory", "256M", "mm.transparent_hugepage.enabled", "never",
                "cpu.profile", "haswell", "cost.access_ns", Long.toString(ACCESS_NS), "cost.stlb_hit_ns", "1",
                "cost.walk_ref_ns", "10"));
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put(kv[i], kv[i + 1]);
        }
        RunResult r = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        assertThat(r.phases()).hasSize(2);
        assertThat(r.phases().get(1).refs()).isEqualTo(N);
        return r.phases().get(1).timeNs();
    }

    private static final String SWEEP = "  - { name: sweep, op: strided, vma: a, stride: 4096, write: true }";

    @Test
    void overlappedMissPs_hidesTheOverlapFractionOfTheTlbMiss() {
        for (double overlap : new double[] {0, 0.25, 1}) {
            CostModel c = new CostModel(TestConfig.of("cost.walk_miss_overlap", Double.toString(overlap)));
            assertThat(c.walkMissOverlap).isEqualTo(overlap);
            // walk 13 ns, miss 21 ns
            assertThat(13_000 + c.overlappedMissPs(13_000, 21_000)).isEqualTo(Math.round((1 - overlap) * 13_000 + 21_000));
            // walk 41 ns, miss 21 ns
            assertThat(41_000 + c.overlappedMissPs(41_000, 21_000)).isEqualTo(Math.round((1 - overlap) * 41_000 + 21_000));
            // no TLB miss: the cache miss in full
            assertThat(c.overlappedMissPs(0, 21_000)).isEqualTo(21_000);
        }
    }

    @Test
    void aWalkThatCoincidesWithACacheMiss_isHiddenByTheOverlapFraction() throws Exception {
        // Every reference of the sweep misses both TLBs and walks: 1 ns STLB lookup plus 10 ns a
        // walker reference (1 to 4 of them).
        long noMiss = phaseNs(SWEEP, "cost.cache_miss_ns", "0", "cpu.cache_size", "64K");
        long tlbNs = noMiss - N * ACCESS_NS;
        assertThat(tlbNs).as("TLB-miss time of the sweep").isBetween(11 * N, 41 * N);
        long sum = phaseNs(SWEEP, "cost.cache_miss_ns", "100", "cpu.cache_size", "64K", "cost.walk_miss_overlap", "0");
        assertThat(sum).isEqualTo(N * (ACCESS_NS + 100) + tlbNs);
        // full overlap: every walk hidden under the misses
        long hidden = phaseNs(SWEEP, "cost.cache_miss_ns", "100", "cpu.cache_size", "64K", "cost.walk_miss_overlap", "1");
        assertThat(hidden).isEqualTo(N * (ACCESS_NS + 100));
        long half = phaseNs(SWEEP, "cost.cache_miss_ns", "100", "cpu.cache_size", "64K", "cost.walk_miss_overlap", "0.5");
        assertThat(half).isEqualTo(N * (ACCESS_NS + 100) + tlbNs / 2);
        // a walk longer than the miss is hidden too: references overlap one another's walks
        long shortMiss = phaseNs(SWEEP, "cost.cache_miss_ns", "5", "cpu.cache_size", "64K", "cost.walk_miss_overlap", "1");
        assertThat(shortMiss).isEqualTo(N * (ACCESS_NS + 5));
    }

    @Test
    void aStridedPassThatFitsTheCache_missesOnItsFirstPassOnly_andOneThatDoesNot_onEveryPass() throws Exception {
        // 16,384 references a page apart touch 16,384 lines: 1 MiB.
        String twice = "  - { name: sweep, op: strided, vma: a, stride: 4096, write: true, repeat: 2 }";
        long fitsBase = phaseNsRefs(twice, "cost.cache_miss_ns", "0", "cpu.cache_size", "2M");
        long fits = phaseNsRefs(twice, "cost.cache_miss_ns", "100", "cpu.cache_size", "2M");
        assertThat(fits - fitsBase).isEqualTo(N * 100);
        long exceedsBase = phaseNsRefs(twice, "cost.cache_miss_ns", "0", "cpu.cache_size", "512K");
        long exceeds = phaseNsRefs(twice, "cost.cache_miss_ns", "100", "cpu.cache_size", "512K");
        assertThat(exceeds - exceedsBase).isEqualTo(2 * N * 100);
    }

    @Test
    void randomReferences_missAsAUniformReferenceMissesACacheSmallerThanTheFootprint() throws Exception {
        // 16,384 pages, one line each: a 1 MiB footprint against a 256 KiB cache misses 3/4 of the time.
        String random = "  - { name: sweep, op: random, vma: a, write: true }";
        long base = phaseNs(random, "cost.cache_miss_ns", "0", "cpu.cache_size", "256K");
        long missing = phaseNs(random, "cost.cache_miss_ns", "100", "cpu.cache_size", "256K");
        assertThat(missing - base).isEqualTo(N * Math.round(100 * (1 - 256.0 / 1024)));
        long fits = phaseNs(random, "cost.cache_miss_ns", "100", "cpu.cache_size", "1M");
        assertThat(fits).isEqualTo(base);
    }

    @Test
    void sequentialReferencesWithinAPage_neverMiss_whateverTheFootprint() throws Exception {
        // a memset streams: prefetchers follow it, so only the per-byte store cost is charged
        String memset = "  - { name: sweep, op: memset, vma: a, stride: 64 }";
        long base = phaseNsLines(memset, "cost.cache_miss_ns", "0", "cpu.cache_size", "64K");
        long missing = phaseNsLines(memset, "cost.cache_miss_ns", "100", "cpu.cache_size", "64K");
        assertThat(missing).isEqualTo(base);
    }

    private static long phaseNsRefs(String phases, String... kv) throws Exception {
        return phaseTime(phases, 2 * N, kv);
    }

    private static long phaseNsLines(String phases, String... kv) throws Exception {
        return phaseTime(phases, N * 64, kv);
    }

    private static long phaseTime(String phases, long refs, String... kv) throws Exception {
        String yaml = String.join("\n", "name: t", "description: memory costs",
                "processes:", "  - name: p", "    vmas:", "      - { name: a, size: 64M }",
                "phases:", "  - { name: touch, op: sequential, vma: a, stride: 4096, write: true }", phases, "");
        Scenario s = ScenarioParser.parse(new StringReader(yaml), "t.yaml", "t.yaml");
        Map<String, String> cfg = new HashMap<>(Map.of("machine.memory", "256M", "mm.transparent_hugepage.enabled", "never"));
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put(kv[i], kv[i + 1]);
        }
        RunResult r = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        assertThat(r.phases().get(1).refs()).isEqualTo(refs);
        return r.phases().get(1).timeNs();
    }
}
