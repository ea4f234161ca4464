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
}
