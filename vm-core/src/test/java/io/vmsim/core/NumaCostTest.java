package io.vmsim.core;

import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TextReport;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioParser;
import io.vmsim.core.topology.NodeAccesses;
import io.vmsim.core.topology.NumaTopology;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Local and remote references per node, and what a remote reference costs: the formula of
 * docs/numa.md, "Cost model", {@code L(C,N) = latency_ns[N] * distance(C,N) / dmin(N)}; a
 * cache-missing reference costs {@code cost.cache_miss_ns * L(C,N) / L(C,home)}, or
 * {@code L(C,N) - L(C,home)} when {@code cost.cache_miss_ns} is 0.
 */
final class NumaCostTest {
    private static final long MIB = 1L << 20;

    @Test
    void accessLatency_followsTheDocumentedFormula_forAMemoryOnlyNodeAndAnAsymmetricSlit() {
        NumaTopology t = NumaTopology.from(TestConfig.of(CoreKeys.MEMORY, "96M", CoreKeys.NODES, "3", CoreKeys.CPUS, "2",
                CoreKeys.NUMA_CPUS, "0;1;", CoreKeys.NUMA_DISTANCE, "10,20,25;22,10,30;25,30,10",
                CoreKeys.NUMA_LATENCY_NS, "100,120,300"));
        double[] lat = {100, 120, 300};
        int[][] d = {{10, 20, 25}, {22, 10, 30}, {25, 30, 10}};
        // dmin: nearest node with CPUs (0 and 1): node 0 -> 10, node 1 -> 10, node 2 -> min(25, 30) = 25
        int[] dmin = {10, 10, 25};
        for (int c = 0; c < 2; c++) {
            for (int n = 0; n < 3; n++) {
                assertThat(t.accessLatencyNs(c, n)).as("L(%d,%d)", c, n).isCloseTo(lat[n] * d[c][n] / dmin[n], within(1e-9));
            }
        }
        // spot values by hand: L(0,2) = 300, L(1,2) = 300 * 30/25 = 360, L(1,0) = 100 * 22/10 = 220
        assertThat(t.accessLatencyNs(0, 2)).isEqualTo(300.0);
        assertThat(t.accessLatencyNs(1, 2)).isEqualTo(360.0);
        assertThat(t.accessLatencyNs(1, 0)).isEqualTo(220.0);
        long[] surplus = t.remoteMissSurplusPs(0);
        assertThat(surplus[1 * 3 + 2]).isEqualTo((360 - 120) * 1000L);
        assertThat(surplus[0 * 3 + 1]).isEqualTo((240 - 100) * 1000L);
        assertThat(surplus[0]).isZero();
        // with a local miss of 50 ns: a remote miss costs 50 * L(C,N) / L(C,home)
        long[] scaled = t.remoteMissSurplusPs(50_000);
        assertThat(50_000 + scaled[1 * 3 + 2]).isEqualTo(Math.round(50_000.0 * 360 / 120));
        assertThat(50_000 + scaled[0 * 3 + 2]).isEqualTo(Math.round(50_000.0 * 300 / 100));
    }

    @Test
    void memoryTier_ofAMemoryOnlyNode_isTheAbstractDistanceOfMemoryTiersC() {
        NumaTopology t = NumaTopology.from(TestConfig.of(CoreKeys.MEMORY, "96M", CoreKeys.NODES, "3", CoreKeys.CPUS, "2",
                CoreKeys.NUMA_CPUS, "0;1;", CoreKeys.NUMA_LATENCY_NS, "90,90,180", CoreKeys.NUMA_BANDWIDTH_MBPS,
                "100000,100000,50000"));
        // MEMTIER_ADISTANCE_DRAM = 4 * 128 + 64 = 576; memory-only: 576 * 180/90 * 100000/50000 = 2304
        assertThat(t.abstractDistance(0)).isEqualTo(576);
        assertThat(t.abstractDistance(2)).isEqualTo(2304);
        assertThat(t.memoryTier(0)).isZero();
        assertThat(t.memoryTier(1)).isZero();
        assertThat(t.memoryTier(2)).isEqualTo(1);
    }

    @Test
    void everyReference_countsLocalOrRemoteByTheCpusNodeAndThePagesNode() {
        Machine m = Machine.create(TestConfig.of(CoreKeys.MEMORY, "128M", CoreKeys.NODES, "2", CoreKeys.CPUS, "2",
                CoreKeys.THP_ENABLED, "never"), new TestCatalog());
        SimProcess p = m.spawn("t", List.of(0, 1));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 8 * MIB, "rw", false, 0);
        long b = m.syscalls().mmapAnon(p.mm(), 0, 4 * MIB, "rw", false, 0);
        // CPU 0 (node 0) writes every page of a: first touch puts them on node 0
        for (long off = 0; off < 8 * MIB; off += 4096) {
            m.access(p.threads().get(0), a + off, true);
        }
        // CPU 1 (node 1) reads every page of a twice: remote to node 0
        for (int r = 0; r < 2; r++) {
            for (long off = 0; off < 8 * MIB; off += 4096) {
                m.access(p.threads().get(1), a + off, false);
            }
        }
        // CPU 1 writes every page of b: on node 1, local
        for (long off = 0; off < 4 * MIB; off += 4096) {
            m.access(p.threads().get(1), b + off, true);
        }
        NodeAccesses n = m.nodeAccesses();
        assertThat(n.localAccesses(0)).isEqualTo(2048);
        assertThat(n.remoteAccesses(0)).isEqualTo(2 * 2048);
        assertThat(n.localAccesses(1)).isEqualTo(1024);
        assertThat(n.remoteAccesses(1)).isZero();
        assertThat(n.localAccesses(0) + n.remoteAccesses(0) + n.localAccesses(1) + n.remoteAccesses(1)).isEqualTo(m.refs());
        List<RunResult.NumaNode> nodes = Reports.numa(m);
        assertThat(nodes).hasSize(2);
        // anonymous pages by node: 2048 on node 0, 1024 on node 1, plus nothing else anonymous
        assertThat(nodes.get(0).anonPages()).isEqualTo(2048);
        assertThat(nodes.get(1).anonPages()).isEqualTo(1024);
    }

    private static RunResult run(String distance, String... more) throws Exception {
        String yaml = String.join("\n",
                "name: t", "description: pages on node 0 read by a CPU of node 1",
                "processes:", "  - name: p", "    threads: [0, 1]", "    vmas:", "      - { name: a, size: 16M }",
                "phases:",
                "  - { name: touch, op: sequential, vma: a, stride: 4096, write: true }",
                "  - { name: remote, op: sequential, vma: a, thread: 1, stride: 4096 }", "");
        Scenario s = ScenarioParser.parse(new StringReader(yaml), "t.yaml", "t.yaml");
        String[] kv = new String[10 + more.length];
        System.arraycopy(new String[] {CoreKeys.MEMORY, "128M", CoreKeys.NODES, "2", CoreKeys.CPUS, "2",
                CoreKeys.THP_ENABLED, "never", CoreKeys.NUMA_DISTANCE, distance}, 0, kv, 0, 10);
        System.arraycopy(more, 0, kv, 10, more.length);
        return Simulation.runScenario(TestConfig.of(kv), new TestCatalog(), s, Progress.NONE);
    }

    @Test
    void aRemotePass_costsTheRemoteSurplusPerReference_asTheFormulaSays() throws Exception {
        // 4096 references a page apart miss the caches on their (only) pass; the remote pass pays
        // L(1,0) - L(1,1) = 90 * d/10 - 90 per reference, so d = 30 costs 90 ns more per reference than d = 20
        RunResult near = run("10,20;20,10");
        RunResult far = run("10,30;30,10");
        long refs = 4096;
        assertThat(near.phases().get(1).refs()).isEqualTo(refs);
        double perRef = NumaTopology.DRAM_LATENCY_NS * (30 - 20) / 10.0;
        assertThat(far.phases().get(1).timeNs() - near.phases().get(1).timeNs()).isEqualTo(Math.round(refs * perRef));
        assertThat(far.phases().get(0).timeNs()).as("the local pass costs the same").isEqualTo(near.phases().get(0).timeNs());
        // and against one node: the remote pass pays the whole surplus, 90 * 20/10 - 90 = 90 ns
        assertThat(near.numa().get(0).remoteAccesses()).isEqualTo(refs);
        assertThat(near.numa().get(0).localAccesses()).isEqualTo(refs);
        assertThat(near.localAccessRatio()).isEqualTo(0.5);
    }

    @Test
    void withACacheMissCost_aRemoteMissCostsItScaledByTheLatencyRatio() throws Exception {
        RunResult near = run("10,20;20,10", CoreKeys.COST_CACHE_MISS, "80");
        RunResult far = run("10,40;40,10", CoreKeys.COST_CACHE_MISS, "80");
        // a remote miss costs 80 * L(1,0) / L(1,1) = 80 * d / 10: 160 ns at distance 20, 320 ns at 40
        assertThat(far.phases().get(1).timeNs() - near.phases().get(1).timeNs()).isEqualTo(4096L * (320 - 160));
    }

    @Test
    void reports_showTheNumaSectionOnlyWithMoreThanOneNode() throws Exception {
        RunResult two = run("10,20;20,10");
        assertThat(JsonWriter.toJson(two)).contains("\"numa\"").contains("\"local_accesses\": 4096")
                .contains("\"remote_accesses\": 4096").contains("\"local_access_ratio\": 0.5");
        assertThat(TextReport.render(two)).contains("numa (local ratio 0.5000)").containsPattern("\\n  0\\s+4,096\\s+4,096\\s+0.5000");
        String yaml = String.join("\n", "name: t", "description: one node", "processes:", "  - name: p", "    vmas:",
                "      - { name: a, size: 4M }", "phases:", "  - { name: touch, op: sequential, vma: a, write: true }", "");
        RunResult one = Simulation.runScenario(TestConfig.of(), new TestCatalog(),
                ScenarioParser.parse(new StringReader(yaml), "t.yaml", "t.yaml"), Progress.NONE);
        assertThat(one.numa()).isEmpty();
        assertThat(JsonWriter.toJson(one)).doesNotContain("\"numa\"");
        assertThat(TextReport.render(one)).doesNotContain("local ratio");
    }
}
