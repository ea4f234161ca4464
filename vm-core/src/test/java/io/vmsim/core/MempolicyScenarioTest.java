package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.PhaseOp;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioException;
import io.vmsim.core.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;

import java.io.StringReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scenario syntax of memory policies: process and VMA {@code mempolicy:} and the four phase ops. */
final class MempolicyScenarioTest {
    private static Scenario parse(String yaml) throws Exception {
        return ScenarioParser.parse(new StringReader(yaml), "test.yaml", "test.yaml");
    }

    /** The scenario on two nodes, two CPUs and 128 MiB, THP {@code enabled} as given. */
    private static RunResult run(String yaml, String thp) throws Exception {
        return Simulation.runScenario(TestConfig.of("machine.nodes", "2", "machine.cpus", "2", "machine.memory", "128M",
                "mm.transparent_hugepage.enabled", thp), new TestCatalog(), parse(yaml), Progress.NONE);
    }

    private static final String YAML = String.join("\n",
            "name: mpol",
            "description: test",
            "processes:",
            "  - name: p",
            "    threads: [0]",
            "    mempolicy: { mode: bind, nodes: [1] }",
            "    vmas:",
            "      - { name: a, size: 256K, mempolicy: { mode: interleave, nodes: [0, 1] } }",
            "      - { name: b, size: 128K }",
            "phases:",
            "  - { name: fill a, op: memset, vma: a }",
            "  - { name: fill b, op: memset, vma: b }",
            "  - { name: mig, op: migrate_pages, from: [0], to: [1] }",
            "  - { name: mv, op: move_pages, vma: b, node: 0 }",
            "  - { name: back, op: mbind, vma: b, mode: bind, nodes: [1], move: true }",
            "  - { name: reset, op: set_mempolicy, mode: default }",
            "");

    @Test
    void parses_theSharedSyntax() throws Exception {
        Scenario s = parse(YAML);
        assertThat(s.processes().get(0).mempolicy().mode()).isEqualTo("bind");
        assertThat(s.processes().get(0).mempolicy().nodes()).containsExactly(1);
        assertThat(s.processes().get(0).vmas().get(0).mempolicy().nodes()).containsExactly(0, 1);
        assertThat(s.processes().get(0).vmas().get(1).mempolicy()).isNull();
        assertThat(s.phases().get(2).op()).isEqualTo(PhaseOp.MIGRATE_PAGES);
        assertThat(s.phases().get(2).numa().from()).containsExactly(0);
        assertThat(s.phases().get(2).numa().to()).containsExactly(1);
        assertThat(s.phases().get(3).numa().node()).isEqualTo(0);
        assertThat(s.phases().get(4).numa().move()).isTrue();
        assertThat(s.phases().get(5).allThreads()).isTrue();
    }

    @Test
    void runs_placementsAndMigrationsAddUp() throws Exception {
        RunResult r = run(YAML, "never");
        // a: 64 pages interleaved over two free nodes, each where it asked
        assertThat(r.counters().get("numa_interleave")).isEqualTo(64);
        // migrate_pages moves a's 32 pages on node 0; move_pages b's 32 (bound to node 1) to node 0;
        // mbind with move brings them back
        assertThat(r.counters().get("pgmigrate_success")).isEqualTo(32 + 32 + 32);
        assertThat(r.counters().get("pgmigrate_fail")).isZero();
    }

    private static final String LEFT = String.join("\n",
            "name: left",
            "description: huge and page-cache pages that move_pages cannot move here",
            "files:",
            "  - { name: f, size: 64K }",
            "processes:",
            "  - name: p",
            "    threads: [0]",
            "    mempolicy: { mode: bind, nodes: [0] }",
            "    vmas:",
            "      - { name: a, size: 4M, align: 2M }",
            "      - { name: fm, size: 64K, file: f, shared: true }",
            "phases:",
            "  - { name: fill a, op: memset, vma: a }",
            "  - { name: read fm, op: strided, vma: fm, stride: 4096, write: false }",
            "  - { name: mv a, op: move_pages, vma: a, node: 1 }",
            "  - { name: mv fm, op: move_pages, vma: fm, node: 1 }",
            "");

    @Test
    void hugeAndPageCachePagesLeftInPlace_areCountedAndTheRunSaysSo() throws Exception {
        // Linux's move_pages() moves a THP (split or whole) and page-cache pages; vmsim moves
        // order-0 anonymous pages only, so a researcher must be told
        RunResult huge = run(LEFT, "always");
        assertThat(huge.counters().get("thp_fault_alloc")).isEqualTo(2);
        assertThat(huge.counters().get("pgmigrate_success")).isZero();
        // two huge pages (1,024 PTE-sized pages) and the file's 16 cached pages
        assertThat(huge.warnings()).containsExactly(Simulation.mempolicyWarning(2 * 512 + 16));
        assertThat(huge.warnings().get(0)).startsWith("mbind/migrate_pages/move_pages left 1,040 pages (4 KiB)");

        RunResult small = run(LEFT, "never");
        assertThat(small.counters().get("pgmigrate_success")).isEqualTo(1024);
        assertThat(small.warnings()).containsExactly(Simulation.mempolicyWarning(16));
    }

    @Test
    void anonymousPagesOnly_noWarning() throws Exception {
        RunResult r = run(YAML, "never");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void rejects_badModesAndWeights() {
        String head = String.join("\n", "name: m", "description: t", "processes:", "  - name: p", "    vmas:",
                "      - { name: a, size: 64K }", "phases:", "");
        assertThatThrownBy(() -> parse(head + "  - { op: set_mempolicy, mode: spread, nodes: [0] }\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("mode");
        assertThatThrownBy(() -> parse(head + "  - { op: mbind, vma: a, mode: bind, nodes: [0], weights: [2] }\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("weighted-interleave");
        assertThatThrownBy(() -> parse(head + "  - { op: move_pages, vma: a }\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("node");
        assertThatThrownBy(() -> parse(head + "  - { op: migrate_pages, from: [0] }\n"))
                .isInstanceOf(ScenarioException.class).hasMessageContaining("to");
    }

    @Test
    void emptyBindMask_failsTheRunWithEinval() throws Exception {
        String yaml = String.join("\n", "name: m", "description: t", "processes:", "  - name: p", "    vmas:",
                "      - { name: a, size: 64K }", "phases:", "  - { name: bad, op: set_mempolicy, mode: bind, nodes: [] }", "");
        assertThatThrownBy(() -> Simulation.runScenario(TestConfig.of("machine.nodes", "2"), new TestCatalog(), parse(yaml),
                Progress.NONE)).hasMessageContaining("EINVAL").hasMessageContaining("phase 'bad'");
    }
}
