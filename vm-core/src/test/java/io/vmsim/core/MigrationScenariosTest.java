package io.vmsim.core;

import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.plugin.FakeProvider;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TextReport;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in migration scenarios (issue 12) end to end: the JSON section, determinism, bad keys. */
final class MigrationScenariosTest {
    private static RunResult run(String scenario, String... kv) throws Exception {
        Scenario s = ScenarioCatalog.builtin(scenario);
        Map<String, String> cfg = new HashMap<>(s.config());
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put(kv[i], kv[i + 1]);
        }
        return Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
    }

    @Test
    void postcopyScenario_isDeterministic_byteForByte_andASecondSeedChangesTheFaults() throws Exception {
        String a = JsonWriter.toJson(run("migration-postcopy", "migration.ram", "32M"));
        String b = JsonWriter.toJson(run("migration-postcopy", "migration.ram", "32M"));
        assertThat(a).isEqualTo(b);
        String c = JsonWriter.toJson(run("migration-postcopy", "migration.ram", "32M", "seed", "43"));
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void theJsonSection_namesEveryFigure_andTheMachineClockAdvancesByTheMigration() throws Exception {
        RunResult r = run("migration-postcopy", "migration.ram", "32M");
        String json = JsonWriter.toJson(r);
        assertThat(json).contains("\"migration\": {", "\"mode\": \"postcopy\"", "\"completed\": true", "\"total_time_ns\": ",
                "\"downtime_ns\": 100000", "\"rounds\": 0", "\"pages_sent\": 8192", "\"remote_faults\": ",
                "\"remote_fault_latency_ns\": {", "\"p50\": ", "\"p99\": ", "\"max\": ");
        assertThat(r.timeNs()).isGreaterThanOrEqualTo(r.migration().totalTimeNs());
        assertThat(r.phases()).hasSize(1);
        assertThat(r.phases().get(0).timeNs()).isEqualTo(r.migration().totalTimeNs());
        assertThat(TextReport.render(r)).contains("live migration", "remote fault wait", "p99");
        // the destination guest's RAM is the machine's: every page placed by UFFDIO_COPY, each remote fault a page fault
        assertThat(r.meminfo().get("AnonPages")).isGreaterThanOrEqualTo(32L << 10);
        assertThat(r.counters().get("pgfault")).isGreaterThanOrEqualTo(r.migration().remoteFaults());
    }

    @Test
    void precopyScenario_convergesInSeveralRounds_andWithDAboveB_givesUp() throws Exception {
        RunResult.MigrationResult ok = run("migration-precopy").migration();
        assertThat(ok.completed()).isTrue();
        assertThat(ok.rounds()).isGreaterThan(1);
        assertThat(ok.downtimeNs()).isLessThanOrEqualTo(30_000_000L + 100_000L);
        RunResult.MigrationResult no = run("migration-precopy", "migration.dirty_rate_mbps", "2000",
                "migration.max_rounds", "4").migration();
        assertThat(no.completed()).isFalse();
        assertThat(no.rounds()).isEqualTo(4);
        assertThat(TextReport.render(run("migration-precopy", "migration.dirty_rate_mbps", "2000", "migration.max_rounds", "3")))
                .contains("precopy did not converge in 3 rounds");
    }

    @Test
    void hybridScenario_runsItsPrecopyRoundsThenPostcopy() throws Exception {
        RunResult.MigrationResult h = run("migration-hybrid").migration();
        assertThat(h.mode()).isEqualTo("hybrid");
        assertThat(h.rounds()).isEqualTo(2);
        assertThat(h.outcome()).isEqualTo("postcopy");
        assertThat(h.completed()).isTrue();
    }

    @Test
    void badMigrationKeys_areReported_namingKeyAndValue() {
        assertThatThrownBy(() -> new ConfigLoader(FakeProvider.builtInLike())
                .set("migration.dirty_pattern", "zigzag")
                .set("migration.bandwidth_mbps", "0")
                .set("migration.ram", "lots")
                .set("policy.migration", "fastest")
                .load())
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4).anySatisfy(p ->
                                assertThat(p).contains("migration.dirty_pattern").contains("zigzag").contains("sequential"))
                        .anySatisfy(p -> assertThat(p).contains("migration.bandwidth_mbps").contains("0"))
                        .anySatisfy(p -> assertThat(p).contains("migration.ram").contains("lots"))
                        .anySatisfy(p -> assertThat(p).contains("migration policy 'fastest'").contains("last-fault-first")));
    }
}
