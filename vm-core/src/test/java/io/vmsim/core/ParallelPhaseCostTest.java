package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;

import java.io.StringReader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a memset sweep costs on two nodes (docs/numa.md "Cost model"), run as a plain phase and as
 * the only phase of a {@code parallel} phase: a parallel phase of one thread is that thread's phase,
 * so the two must cost the same, remote references included; and a sweep that writes more than
 * {@code cpu.cache_size} (16 MiB against 8 MiB) misses on every pass, so each pass over remote
 * memory adds the same remote surplus.
 */
final class ParallelPhaseCostTest {

    /** A thread on CPU 1 (node 1) sweeping 16 MiB bound to node {@code node}, {@code repeat} passes, plainly or in a parallel phase. */
    private static String yaml(int node, int repeat, boolean parallel) {
        String sweep = "{ op: memset, vma: buf, stride: 4096, repeat: " + repeat + " }";
        return String.join("\n",
                "name: sweep",
                "description: test",
                "processes:",
                "  - name: p",
                "    threads: [1]",
                "    vmas:",
                "      - { name: buf, size: 16M, mempolicy: { mode: bind, nodes: [" + node + "] } }",
                "phases:",
                "  - { name: fill, op: memset, vma: buf, stride: 4096 }",
                parallel ? "  - { name: sweep, op: parallel, phases: [ " + sweep + " ] }"
                        : "  - { name: sweep, op: memset, vma: buf, stride: 4096, repeat: " + repeat + " }",
                "");
    }

    /** Simulated ns of the sweep phase. */
    private static long sweep(int node, int repeat, boolean parallel) throws Exception {
        Scenario s = ScenarioParser.parse(new StringReader(yaml(node, repeat, parallel)), "t.yaml", "t.yaml");
        RunResult r = Simulation.runScenario(TestConfig.of("machine.nodes", "2", "machine.cpus", "2",
                "machine.memory", "256M", "mm.transparent_hugepage.enabled", "never"), new TestCatalog(), s, Progress.NONE);
        return r.phases().get(1).timeNs();
    }

    @Test
    void aParallelPhaseOfOneThread_costsWhatThePlainPhaseCosts_remoteReferencesIncluded() throws Exception {
        assertThat(sweep(0, 3, true)).isEqualTo(sweep(0, 3, false));
        assertThat(sweep(1, 3, true)).isEqualTo(sweep(1, 3, false));
        assertThat(sweep(0, 3, true)).as("remote memory costs more than local").isGreaterThan(sweep(1, 3, true));
    }

    @Test
    void aMemsetLargerThanTheCache_missesOnEveryPass() throws Exception {
        long surplusOnePass = sweep(0, 1, false) - sweep(1, 1, false);
        long surplusThreePasses = sweep(0, 3, false) - sweep(1, 3, false);
        assertThat(surplusOnePass).isPositive();
        // rounding of the clock in ps is per reference: allow a nanosecond per pass
        assertThat(surplusThreePasses).isBetween(3 * surplusOnePass - 3, 3 * surplusOnePass + 3);
    }
}
