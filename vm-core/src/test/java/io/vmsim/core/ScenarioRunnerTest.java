package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;

import java.io.StringReader;

import static org.assertj.core.api.Assertions.assertThat;

final class ScenarioRunnerTest {
    private static RunResult run(String yaml, String... config) throws Exception {
        Scenario s = ScenarioParser.parse(new StringReader(yaml), "test.yaml", "test.yaml");
        return Simulation.runScenario(TestConfig.of(config), new TestCatalog(), s, Progress.NONE);
    }

    private static final String HEADER = String.join("\n",
            "name: t",
            "description: test",
            "processes:",
            "  - name: p",
            "    threads: [0, 1]",
            "    vmas:",
            "      - { name: a, size: 256K }",
            "phases:",
            "");

    @Test
    void sequentialWrites_faultOncePerPage_andCountEveryReference() throws Exception {
        RunResult r = run(HEADER + "  - { name: fill, op: sequential, vma: a, stride: 1024, write: true }\n",
                "mm.transparent_hugepage.enabled", "never");
        assertThat(r.phases()).hasSize(1);
        assertThat(r.phases().get(0).refs()).isEqualTo(256);
        assertThat(r.counters().get("pgfault")).isEqualTo(64);
    }

    @Test
    void randomWithoutACount_makesOneReferencePerPage() throws Exception {
        RunResult r = run(HEADER + "  - { name: r, op: random, vma: a }\n");
        assertThat(r.phases().get(0).refs()).isEqualTo(64);
    }

    @Test
    void forkThenChildWrites_copiesEachPageTheParentHad() throws Exception {
        RunResult r = run(HEADER + String.join("\n",
                "  - { name: fill, op: sequential, vma: a, write: true }",
                "  - { name: fork, op: fork }",
                "  - { name: child writes, op: sequential, process: p-child, vma: a, write: true }",
                ""), "mm.transparent_hugepage.enabled", "never");
        assertThat(r.counters().get("vmsim_cow_copies")).isEqualTo(64);
    }

    @Test
    void eachPhaseIsTimedOnTheSimulatedClock_andTheTimesAddUp() throws Exception {
        RunResult r = run(HEADER + String.join("\n",
                "  - { name: fill, op: sequential, vma: a, write: true }",
                "  - { name: nap, op: sleep, duration_ns: 5000 }",
                ""));
        assertThat(r.phases().get(1).timeNs()).isEqualTo(5000);
        assertThat(r.phases().get(0).timeNs() + r.phases().get(1).timeNs()).isLessThanOrEqualTo(r.timeNs());
    }

    @Test
    void processKilledBeforeItsFork_skipsTheForkAndTheChildsPhases_andTheRunGoesOn() throws Exception {
        String yaml = String.join("\n",
                "name: t", "description: the leaker is killed before it forks",
                "processes:",
                "  - name: leaker", "    vmas:", "      - { name: heap, size: 256M }",
                "  - name: bystander", "    vmas:", "      - { name: heap, size: 4M }",
                "phases:",
                "  - { name: leak, op: sequential, process: leaker, vma: heap, stride: 4096, write: true }",
                "  - { name: fork, op: fork, process: leaker }",
                "  - { name: child writes, op: sequential, process: leaker-child, vma: heap, stride: 4096, write: true }",
                "  - { name: grandchild, op: fork, process: leaker-child }",
                "  - { name: bystander writes, op: sequential, process: bystander, vma: heap, stride: 4096, write: true }",
                "");
        RunResult r = run(yaml, "machine.memory", "64M", "vm.overcommit_memory", "1",
                "mm.transparent_hugepage.enabled", "never", "vmsim.debug_checks", "true");
        assertThat(r.oomKills()).hasSize(1).allMatch(k -> k.contains("(leaker)"));
        assertThat(r.phases()).extracting(RunResult.PhaseResult::name).containsExactly(
                "leak [killed by the OOM killer]",
                "fork [skipped: leaker was killed by the OOM killer]",
                "child writes [skipped: leaker-child was never forked: its parent was killed by the OOM killer]",
                "grandchild [skipped: leaker-child was never forked: its parent was killed by the OOM killer]",
                "bystander writes");
        // 4 MiB written one reference per 4 KiB page, each a first touch
        assertThat(r.phases().get(4).refs()).isEqualTo(1024);
        assertThat(r.phases().get(1).refs()).isZero();
        assertThat(r.phases().get(2).refs()).isZero();
    }

    @Test
    void madviseCold_pageout_free_andMunlock_runAsPhases() throws Exception {
        // the parser accepted cold, pageout and free before madvise() knew them, and a run failed
        RunResult r = run(HEADER + String.join("\n",
                "  - { name: fill, op: sequential, vma: a, write: true }",
                "  - { name: lock, op: mlock, vma: a, length: 64K }",
                "  - { name: unlock, op: munlock, vma: a, length: 64K }",
                "  - { name: cold, op: madvise, vma: a, advice: cold }",
                "  - { name: out, op: madvise, vma: a, advice: pageout }",
                "  - { name: free, op: madvise, vma: a, advice: free }",
                "  - { name: again, op: sequential, vma: a }",
                ""), "mm.transparent_hugepage.enabled", "never");
        assertThat(r.phases()).hasSize(7);
        assertThat(r.counters().get("unevictable_pgs_munlocked")).isEqualTo(16);
        assertThat(r.counters().get("pglazyfree")).isEqualTo(64);
        assertThat(r.counters().get("pgfault")).isEqualTo(64); // no pressure: the lazy-free pages stay
    }
}
