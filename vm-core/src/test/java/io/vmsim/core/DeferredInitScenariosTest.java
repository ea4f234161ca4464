package io.vmsim.core;

import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import io.vmsim.core.alloc.PageFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deferred struct page init changes when frames are initialised, never what the allocator
 * hands out: built-in scenarios give byte-identical JSON with every frame initialised at boot
 * (machine.deferred_struct_page_init=false, as a kernel without CONFIG_DEFERRED_STRUCT_PAGE_INIT).
 */
final class DeferredInitScenariosTest {
    private static String run(String scenario, String memory, boolean deferred) throws Exception {
        Scenario s = ScenarioCatalog.builtin(scenario);
        Map<String, String> cfg = new HashMap<>(s.config());
        if (!memory.isEmpty()) {
            cfg.put("machine.memory", memory);
        }
        cfg.put("machine.deferred_struct_page_init", Boolean.toString(deferred));
        RunResult r = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        // the switch itself is the one line allowed to differ
        String json = JsonWriter.toJson(r);
        return json.replaceAll("(?m)^.*machine\\.deferred_struct_page_init.*$", "");
    }

    /** The acceptance run of issue 13: 4 TiB of simulated memory in a test JVM of -Xmx4g. */
    @Test
    void sampleScenario_runsOnAFourTibMachine_touchingFewSections() throws Exception {
        Scenario s = ScenarioCatalog.builtin("sample");
        Map<String, String> cfg = new HashMap<>(s.config());
        cfg.put("machine.memory", "4T");
        TestConfig config = new TestConfig(cfg);
        Machine m = Machine.create(config, new TestCatalog());
        new ScenarioRunner(m, Progress.NONE, config.getLong(io.vmsim.core.config.CoreKeys.SEED)).run(s);
        io.vmsim.core.alloc.PageFrames f = m.kernel().frames;
        assertThat(f.nrFrames()).isEqualTo(1 << 30);
        // sample touches tens of MiB: a handful of 128 MiB sections, 4 MiB of metadata each
        assertThat(f.presentSections()).isBetween(1, 16);
        assertThat(f.metadataBytes()).isEqualTo((long) f.presentSections() * PageFrames.PAGES_PER_SECTION * 32);
        assertThat(m.kernel().allocator.freePages()).isGreaterThan((1L << 30) - (1L << 20));
        m.kernel().allocator.verify();
    }

    @ParameterizedTest(name = "{0} with machine.memory={1}")
    @CsvSource({
            "sample, ''",
            "sample, 67121152", // 64 MiB and 3 frames: zones end inside a MAX_ORDER block
            "workingset, ''",
            "thp-sparse, ''",
            "fragmentation, ''",
            "numa01, ''",
            "ksm-identical, ''",
    })
    void jsonIsByteIdenticalToEagerInit(String scenario, String memory) throws Exception {
        String eager = run(scenario, memory, false);
        String deferred = run(scenario, memory, true);
        assertThat(deferred).isEqualTo(eager);
    }
}
