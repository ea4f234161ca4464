package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in workingset and overcommit-oom scenarios run end to end, with debug checks on. */
final class ReclaimScenariosTest {
    private static RunResult run(String name, String... kv) throws Exception {
        Scenario s = ScenarioCatalog.builtin(name);
        Map<String, String> cfg = new HashMap<>(s.config());
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put(kv[i], kv[i + 1]);
        }
        cfg.put("vmsim.debug_checks", "true");
        return Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
    }

    private static RunResult.FileResult file(RunResult r, String name) {
        return r.files().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void workingset_underExactLru_theStreamFlushesTheHotSetEveryRound() throws Exception {
        RunResult r = run("workingset", "policy.reclaim", "exact-lru");
        RunResult.FileResult hot = file(r, "hot");
        RunResult.FileResult stream = file(r, "stream");
        assertThat(hot.reads()).isEqualTo(1024 * 14);
        assertThat(hot.coldMisses()).isEqualTo(1024);
        // every re-read after a 64 MiB chunk misses: the warm ratio is the first pass's second read only
        assertThat(hot.warmHitRatio()).isLessThan(0.10);
        assertThat(hot.refaults()).isEqualTo(12 * 1024);
        assertThat(stream.reads()).isEqualTo(768 * 256);
        assertThat(stream.misses()).isLessThan(stream.reads() / 10); // readahead serves most of the stream
        assertThat(r.counters().get("workingset_refault_file")).isEqualTo(hot.refaults() + stream.refaults());
        assertThat(r.counters().get("pgsteal_kswapd") + r.counters().get("pgsteal_direct")).isPositive();
        assertThat(r.phases()).hasSize(25);
    }

    @Test
    void workingset_underATwoListPolicy_theHotSetIsPromotedAndSurvivesTheStream() throws Exception {
        // read() sets PG_referenced, which testAndClearYoung reports: enough to tell the hot set from use-once pages
        RunResult r = run("workingset", "policy.reclaim", "two-list");
        assertThat(file(r, "hot").warmHitRatio()).isGreaterThan(0.9);
        assertThat(file(r, "hot").refaults()).as("hot refaults").isLessThan(1024);
    }

    @Test
    void overcommitOom_killsTheAdjustedSidecarThenTheLeaker_neverTheDatabase() throws Exception {
        RunResult r = run("overcommit-oom", "policy.reclaim", "exact-lru");
        assertThat(r.counters().get("oom_kill")).isEqualTo(2);
        assertThat(r.oomKills()).hasSize(2);
        assertThat(r.oomKills().get(0)).contains("(sidecar)");
        assertThat(r.oomKills().get(1)).contains("(leaker)");
        List<String> phases = r.phases().stream().map(RunResult.PhaseResult::name).toList();
        assertThat(phases).contains("leaker leaks [killed by the OOM killer]",
                "sidecar heartbeat [skipped: sidecar was killed by the OOM killer]",
                "leaker leaks again [skipped: leaker was killed by the OOM killer]",
                "database serves queries", "batch job again");
        assertThat(r.counters().get("pswpout")).isPositive();
        assertThat(r.meminfo().get("CommitLimit")).isEqualTo(4 * (65536L / 2 + 16384));
    }
}
