package io.vmsim.core.config;

import io.vmsim.api.config.Settings;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.core.plugin.FakeProvider;
import io.vmsim.core.plugin.PolicyRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class ConfigLoaderTest {
    private final PolicyRegistry catalog = FakeProvider.builtInLike();

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private List<String> problems(ConfigLoader loader) {
        try {
            loader.load();
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void defaults_coverEveryCoreKeyAndTheSelectedPoliciesKeys() {
        EffectiveConfig c = EffectiveConfig.defaults(catalog);
        assertThat(c.getLong(CoreKeys.MEMORY)).isEqualTo(4L << 30);
        assertThat(c.getString(CoreKeys.POLICY_THP)).isEqualTo("linux");
        assertThat(c.getLong("policy.thp.linux.max_ptes_none")).isEqualTo(511);
        assertThat(c.values().keySet()).startsWith(CoreKeys.SEED).contains("policy.thp.linux.defer_collapse");
        assertThat(c.sources()).allSatisfy(s -> assertThat(s.origin()).isEqualTo("default"));
        Settings thp = c.policySettings(PolicyKind.THP, "linux");
        assertThat(thp.keys()).containsExactly("max_ptes_none", "defer_collapse");
        assertThat(thp.getInt("max_ptes_none")).isEqualTo(511);
        assertThat(thp.getBoolean("defer_collapse")).isFalse();
    }

    @Test
    void layers_overrideInOrder_andSourcesSayWhere() throws IOException {
        Path file = write("c.yaml", "machine:\n  memory: 2G\n  cpus: 4\n");
        EffectiveConfig c = new ConfigLoader(catalog)
                .scenarioDefaults("largepages3", Map.of("machine.memory", "1G", "machine.nodes", "2", "machine.cpus", "8"))
                .file(file)
                .assignments(List.of("machine.memory=3G"))
                .load();
        assertThat(c.getLong(CoreKeys.MEMORY)).isEqualTo(3L << 30);
        assertThat(c.getInt(CoreKeys.CPUS)).isEqualTo(4);
        assertThat(c.getInt(CoreKeys.NODES)).isEqualTo(2);
        Map<String, String> origin = new java.util.HashMap<>();
        c.sources().forEach(s -> origin.put(s.key(), s.origin()));
        assertThat(origin).containsEntry("machine.memory", "command line")
                .containsEntry("machine.cpus", file.toString())
                .containsEntry("machine.nodes", "scenario largepages3")
                .containsEntry("seed", "default");
        assertThat(c.values()).containsEntry("machine.memory", "3G");
    }

    @Test
    void yamlNestedAndFlat_giveTheSameKeys() throws IOException {
        Path nested = write("nested.yaml", """
                vm:
                  swappiness: 10
                mm:
                  transparent_hugepage:
                    enabled: madvise
                    defrag: defer+madvise
                policy:
                  thp: linux
                  thp.linux.max_ptes_none: 64
                """);
        Path flat = write("flat.yml", """
                vm.swappiness: 10
                mm.transparent_hugepage.enabled: madvise
                mm.transparent_hugepage.defrag: defer+madvise
                policy.thp: linux
                policy.thp.linux.max_ptes_none: 64
                """);
        Path mixed = write("mixed.yaml", """
                vm: {swappiness: 10}
                mm.transparent_hugepage: {enabled: madvise, defrag: defer+madvise}
                policy: {thp: linux, thp.linux: {max_ptes_none: 64}}
                """);
        Path props = write("c.properties", """
                vm.swappiness = 10
                mm.transparent_hugepage.enabled = madvise
                mm.transparent_hugepage.defrag = defer+madvise
                policy.thp = linux
                policy.thp.linux.max_ptes_none = 64
                """);
        Map<String, String> expected = new ConfigLoader(catalog).file(nested).load().values();
        assertThat(expected).containsEntry("vm.swappiness", "10")
                .containsEntry("mm.transparent_hugepage.defrag", "defer+madvise")
                .containsEntry("policy.thp.linux.max_ptes_none", "64");
        for (Path p : List.of(flat, mixed, props)) {
            assertThat(new ConfigLoader(catalog).file(p).load().values()).as(p.toString()).isEqualTo(expected);
        }
    }

    @Test
    void unknownKey_suggestsTheClosestKnownKey() throws IOException {
        Path file = write("c.yaml", "vm:\n  swapiness: 10\n");
        assertThat(problems(new ConfigLoader(catalog).file(file)))
                .containsExactly("unknown key 'vm.swapiness' (in " + file + "); did you mean 'vm.swappiness'?");
    }

    @Test
    void wrongType_saysWhatWasExpected() {
        assertThat(problems(new ConfigLoader(catalog).set("machine.memory", "lots")))
                .containsExactly("'machine.memory' = 'lots' (in --set): expected a size in bytes (e.g. 4096, 64K, 2M, 16G)");
        assertThat(problems(new ConfigLoader(catalog).set("machine.nodes", "two")))
                .containsExactly("'machine.nodes' = 'two' (in --set): expected an integer");
        assertThat(problems(new ConfigLoader(catalog).set("mmu.pwc", "maybe")))
                .containsExactly("'mmu.pwc' = 'maybe' (in --set): expected true or false");
    }

    @Test
    void outOfRange_namesTheRange() {
        assertThat(problems(new ConfigLoader(catalog).set("vm.swappiness", "300")))
                .containsExactly("'vm.swappiness' = '300' (in --set): out of range, expected an integer in [0, 200]");
        assertThat(problems(new ConfigLoader(catalog).set("machine.memory", "1M")))
                .containsExactly("'machine.memory' = '1M' (in --set): out of range, expected a size in [16M, 4T]");
    }

    @Test
    void badEnum_listsValuesAndSuggests() {
        assertThat(problems(new ConfigLoader(catalog).set("mm.transparent_hugepage.enabled", "alway")))
                .containsExactly("'mm.transparent_hugepage.enabled' = 'alway' (in --set): "
                        + "expected one of always, madvise, never; did you mean 'always'?");
    }

    @Test
    void unknownPolicy_listsTheKindsNamesAndSuggests() {
        assertThat(problems(new ConfigLoader(catalog).scenarioDefaults("s", Map.of("policy.reclaim", "fifi"))))
                .containsExactly("unknown reclaim policy 'fifi' (in scenario s); available: fifo, linux-2list, lru; did you mean 'fifo'?");
    }

    @Test
    void policyKeys_areValidatedAgainstTheProvidersDeclarations() {
        assertThat(problems(new ConfigLoader(catalog).set("policy.thp.linux.max_ptes_nones", "3")))
                .singleElement().asString()
                .startsWith("unknown key 'policy.thp.linux.max_ptes_nones' (in --set)")
                .endsWith("did you mean 'policy.thp.linux.max_ptes_none'?");
        assertThat(problems(new ConfigLoader(catalog).set("policy.thp.linux.max_ptes_none", "512")))
                .containsExactly("'policy.thp.linux.max_ptes_none' = '512' (in --set): out of range, expected an integer in [0, 511]");
        assertThat(problems(new ConfigLoader(catalog).set("policy.reclaim.mglru.nr_gens", "4")))
                .containsExactly("unknown key 'policy.reclaim.mglru.nr_gens' (in --set): there is no reclaim policy 'mglru'; "
                        + "available: fifo, linux-2list, lru; did you mean 'lru'?");
        assertThat(problems(new ConfigLoader(catalog).set("policy.reclaim.lru.x", "4")))
                .containsExactly("unknown key 'policy.reclaim.lru.x' (in --set); reclaim policy 'lru' has no settings");
    }

    @Test
    void settingsOfANotSelectedPolicy_areValidatedAndKept() {
        EffectiveConfig c = new ConfigLoader(catalog).set("policy.thp", "never")
                .set("policy.thp.linux.max_ptes_none", "0").load();
        assertThat(c.selectedPolicy(PolicyKind.THP).name()).isEqualTo("never");
        assertThat(c.policySettings(PolicyKind.THP, "linux").getLong("max_ptes_none")).isZero();
    }

    @Test
    void everyProblem_isReportedTogether() throws IOException {
        Path file = write("c.yaml", "vm.swapiness: 1\nmachine: {memory: lots}\n");
        assertThat(problems(new ConfigLoader(catalog).file(file)
                .assignments(List.of("policy.ksm=kms", "novalue"))))
                .hasSize(4);
    }

    @Test
    void badFiles_areReported() throws IOException {
        assertThat(problems(new ConfigLoader(catalog).file(write("c.toml", "a = 1"))))
                .singleElement().asString().endsWith("expected a .yaml, .yml or .properties file");
        assertThat(problems(new ConfigLoader(catalog).file(dir.resolve("absent.yaml"))))
                .singleElement().asString().endsWith("does not exist");
        assertThat(problems(new ConfigLoader(catalog).file(write("bad.yaml", "vm: [unclosed"))))
                .singleElement().asString().startsWith("cannot read config file");
        assertThat(problems(new ConfigLoader(catalog).file(write("list.yaml", "seed: [1, 2]"))))
                .singleElement().asString().contains("expected a single value");
    }

    @Test
    void typedGetters_rejectUndeclaredKeysAndWrongTypes() {
        EffectiveConfig c = EffectiveConfig.defaults(catalog);
        assertThatThrownBy(() -> c.getLong("vm.nothing")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.getBoolean(CoreKeys.MEMORY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.policySettings(PolicyKind.RECLAIM, "mglru")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesAreNormalised() {
        EffectiveConfig c = new ConfigLoader(catalog).set("mmu.pwc", "FALSE").set("mm.transparent_hugepage.enabled", "Never")
                .set("policy.reclaim", "FIFO").load();
        assertThat(c.getBoolean(CoreKeys.PWC)).isFalse();
        assertThat(c.getString(CoreKeys.THP_ENABLED)).isEqualTo("never");
        assertThat(c.getString(CoreKeys.POLICY_RECLAIM)).isEqualTo("fifo");
    }

    @Test
    void linuxSysfsName_ofAKhugepagedThreshold_setsTheLinuxPolicysKey() {
        EffectiveConfig c = new ConfigLoader(catalog).set("mm.transparent_hugepage.khugepaged.max_ptes_none", "64").load();
        assertThat(c.policySettings(io.vmsim.api.policy.PolicyKind.THP, "linux").getLong("max_ptes_none")).isEqualTo(64);
        assertThat(problems(new ConfigLoader(catalog).set("mm.transparent_hugepage.khugepaged.max_ptes_none", "600")))
                .singleElement().asString().contains("policy.thp.linux.max_ptes_none").contains("out of range");
    }
}
