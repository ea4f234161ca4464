package io.vmsim.core;

import io.vmsim.core.numa.NumaBalancing;
import io.vmsim.core.report.Progress;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in numa01 and numa02 scenarios with automatic NUMA balancing on and off (issue 10),
 * run with the real {@code linux} NUMA policy. The local ratio is counted on every reference:
 * the node of the page against the node of the CPU making it, at access time.
 */
final class NumaScenariosTest {
    /** What a run measured: references by locality over the whole run and over the last phase, and the counters. */
    record Run(long local, long remote, long lastLocal, long lastRemote, Map<String, Long> vmstat, long nanos, Machine m) {
        double lastRatio() {
            return (double) lastLocal / (lastLocal + lastRemote);
        }

        double ratio() {
            return (double) local / (local + remote);
        }
    }

    static Run run(String scenario, String... overrides) throws Exception {
        Scenario s = ScenarioCatalog.builtin(scenario);
        Map<String, String> cfg = new HashMap<>(s.config());
        for (int i = 0; i < overrides.length; i += 2) {
            cfg.put(overrides[i], overrides[i + 1]);
        }
        if (!cfg.get("kernel.numa_balancing").equals("0")) {
            cfg.putIfAbsent("policy.numa", "linux"); // as the configuration loader defaults it
        }
        Machine m = Machine.create(new TestConfig(cfg), new TestCatalog());
        ScenarioRunner r = new ScenarioRunner(m, Progress.NONE, 42);
        NumaBalancing nb = m.numaBalancing();
        long[] atLast = new long[2];
        String last = s.phases().get(s.phases().size() - 1).name();
        r.phaseStarted = name -> {
            if (name.equals(last)) {
                atLast[0] = local(nb);
                atLast[1] = remote(nb);
            }
        };
        r.run(s);
        long l = local(nb);
        long rm = remote(nb);
        return new Run(l, rm, l - atLast[0], rm - atLast[1], m.vmstat(), m.nanoTime(), m);
    }

    private static long local(NumaBalancing nb) {
        return nb.localAccesses(0) + nb.localAccesses(1);
    }

    private static long remote(NumaBalancing nb) {
        return nb.remoteAccesses(0) + nb.remoteAccesses(1);
    }

    @Test
    void numa02_withBalancing_convergesToLocalAccess() throws Exception {
        Run on = run("numa02");
        System.out.printf("numa02 on: ratio %.4f last %.4f migrated %d time %d ns hint %d pte %d%n", on.ratio(), on.lastRatio(),
                on.vmstat().get("numa_pages_migrated"), on.nanos(), on.vmstat().get("numa_hint_faults"), on.vmstat().get("numa_pte_updates"));
        Run off = run("numa02", "kernel.numa_balancing", "0");
        System.out.printf("numa02 off: ratio %.4f last %.4f migrated %d time %d ns%n", off.ratio(), off.lastRatio(),
                off.vmstat().get("numa_pages_migrated"), off.nanos());
        assertThat(on.lastRatio()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void numa01_withBalancing() throws Exception {
        Run on = run("numa01");
        System.out.printf("numa01 on: ratio %.4f last %.4f migrated %d time %d ns hint %d swapped %d migrated-tasks %d%n", on.ratio(), on.lastRatio(),
                on.vmstat().get("numa_pages_migrated"), on.nanos(), on.vmstat().get("numa_hint_faults"),
                on.vmstat().get("numa_task_swapped"), on.vmstat().get("numa_task_migrated"));
        NumaBalancing nb = on.m().numaBalancing();
        for (io.vmsim.core.mm.Task t : nb.tasks()) {
            System.out.printf("task %d cpu %d preferred %d group %d faults %d/%d period %d%n", t.tid(), t.cpu(), nb.preferredNode(t),
                    nb.groupTasks(t), nb.taskFaults(t, 0), nb.taskFaults(t, 1), nb.scanPeriodMs(t));
        }
        Run off = run("numa01", "kernel.numa_balancing", "0");
        System.out.printf("numa01 off: ratio %.4f last %.4f time %d ns%n", off.ratio(), off.lastRatio(), off.nanos());
    }
}
