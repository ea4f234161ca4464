package io.vmsim.cli;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.PolicyProvider;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference documents list every key, default and scenario the code declares. */
final class DocumentationTest {
    private static String read(String path) throws Exception {
        return Files.readString(Path.of("..").resolve(path));
    }

    @Test
    void configurationReference_listsEveryCoreKeyWithItsDefault() throws Exception {
        String doc = read("docs/configuration.md");
        for (ConfigKey k : CoreKeys.ALL) {
            assertThat(doc).as(k.name()).contains("| `" + k.name() + "` | `" + k.defaultValue() + "` |");
        }
    }

    @Test
    void configurationReference_listsEveryBuiltInPolicyKey() throws Exception {
        String doc = read("docs/configuration.md");
        for (PolicyProvider p : PolicyRegistry.builtIn().all()) {
            for (ConfigKey k : p.configKeys()) {
                String full = "policy." + p.kind().configName() + "." + p.name() + "." + k.name();
                assertThat(doc).as(full).contains("| `" + full + "` | `" + k.defaultValue() + "` |");
            }
        }
    }

    @Test
    void readme_startsWithTheTwoCommandsAndNamesEveryScenario() throws Exception {
        String readme = read("README.md");
        String top = readme.substring(0, Math.min(readme.length(), 1200));
        assertThat(top).contains("./vmsim run").contains("./mvnw verify");
        for (String s : ScenarioCatalog.names()) {
            assertThat(readme).as(s).contains("`" + s + "`");
        }
    }
}
