package io.vmsim.cli;

import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioCatalog;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every config in {@code examples/} loads against its scenario, and its YAML and .properties forms agree. */
final class ExampleConfigsTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("vmsim.examples.configs", "../examples"));

    @Test
    void eachBuiltInScenario_hasAYamlAndAPropertiesExampleThatLoadAndAgree() throws Exception {
        try (PolicyRegistry catalog = PolicyRegistry.builtIn()) {
            for (String name : List.of("largepages3", "nested-walk", "sample")) {
                Scenario sc = ScenarioCatalog.resolve(name);
                Path yaml = EXAMPLES.resolve(name + ".yaml");
                Path props = EXAMPLES.resolve(name + ".properties");
                EffectiveConfig fromYaml = Inputs.config(catalog, sc, yaml, List.of(), null);
                EffectiveConfig fromProps = Inputs.config(catalog, sc, props, List.of(), null);
                assertThat(fromProps.values()).as(name).isEqualTo(fromYaml.values());
                long fromFile = fromYaml.sources().stream().filter(s -> s.origin().equals(yaml.toString())).count();
                assertThat(fromFile).as("keys %s sets", yaml).isGreaterThanOrEqualTo(4);
            }
        }
    }

    @Test
    void everyFileInExamples_loadsWithoutError() throws Exception {
        try (PolicyRegistry catalog = PolicyRegistry.builtIn(); Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString().replaceFirst("\\.[^.]+$", "");
                Map<String, String> values = Inputs.config(catalog, ScenarioCatalog.resolve(name), f, List.of(), null).values();
                assertThat(values).as(f.toString()).containsKey("policy.reclaim");
            }
        }
    }
}
