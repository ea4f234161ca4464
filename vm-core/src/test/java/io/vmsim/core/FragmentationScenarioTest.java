package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

final class FragmentationScenarioTest {
    private static Map<String, Long> run(String defrag) throws Exception {
        Scenario s = ScenarioCatalog.builtin("fragmentation");
        Map<String, String> cfg = new HashMap<>(s.config());
        cfg.put("mm.transparent_hugepage.defrag", defrag);
        cfg.put("vmsim.debug_checks", "true");
        RunResult r = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        return r.counters();
    }

    @Test
    void defragNeverFallsBack_defragAlwaysCompactsAndFallsBackLess() throws Exception {
        Map<String, Long> never = run("never");
        Map<String, Long> always = run("always");
        assertThat(never.get("thp_fault_fallback")).isGreaterThan(0);
        assertThat(never.get("compact_stall")).isZero();
        assertThat(always.get("thp_fault_fallback")).isLessThan(never.get("thp_fault_fallback"));
        assertThat(always.get("compact_stall")).isGreaterThan(0);
        assertThat(always.get("pgmigrate_success")).isGreaterThan(0);
    }
}
