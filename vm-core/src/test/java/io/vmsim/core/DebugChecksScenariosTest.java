package io.vmsim.core;

import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import io.vmsim.core.scenario.ScenarioParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every built-in scenario runs with {@code vmsim.debug_checks} on, checked at the end of every
 * phase; largepages3's 3 GiB memset is run at 96 MiB (its phases and THP use unchanged), the
 * only change to a scenario.
 */
final class DebugChecksScenariosTest {
    static List<String> builtins() {
        return ScenarioCatalog.names();
    }

    static Scenario scenario(String name) throws Exception {
        if (!name.equals("largepages3")) {
            return ScenarioCatalog.builtin(name);
        }
        String text;
        try (InputStream in = ScenarioCatalog.class.getResourceAsStream("/scenarios/largepages3.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String small = text.replace("size: 3G", "size: 96M").replace("machine.memory: 4G", "machine.memory: 256M");
        assertThat(small).isNotEqualTo(text);
        return ScenarioParser.parse(new StringReader(small), "largepages3.yaml", "builtin:largepages3");
    }

    @ParameterizedTest
    @MethodSource("builtins")
    void everyBuiltinScenario_passesTheInvariantChecksAfterEveryPhase(String name) throws Exception {
        Scenario s = scenario(name);
        Map<String, String> cfg = new HashMap<>(s.config());
        cfg.put("vmsim.debug_checks", "true");
        RunResult r = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        assertThat(r.interrupted()).isFalse();
        assertThat(r.phases()).hasSize(s.phases().size());
    }
}
