package io.vmsim.cli;

import io.vmsim.cli.testplugins.faulty.FaultyProviders;
import io.vmsim.cli.testplugins.yamlprobe.YamlProbeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4's acceptance: the example plugins' packaged jars, copied into a fresh plugin folder,
 * are listed, selected by configuration and change what a run reports; without the jar the
 * same configuration is an unknown policy. A plugin with its own version of a library the core
 * also uses loads and runs, and faulty plugins stop the run with exit status 3, one line naming
 * the policy, its jar and the call, and the counters so far in the JSON.
 */
final class PluginsAcceptanceTest {
    /** 64 MiB written once and kept (no exit), so per-node memory at the end shows placement. */
    private static final String FILL = """
            name: fill
            description: One process writes 64 MiB on CPU 0 and keeps it.
            config:
              machine.memory: 256M
            processes:
              - name: app
                threads: [0]
                vmas:
                  - { name: heap, size: 64M }
            phases:
              - { name: fill heap, op: sequential, vma: heap, write: true }
            """;

    @TempDir
    Path dir;



    private Path plugins(String... exampleModules) throws IOException {
        Path p = Files.createDirectories(dir.resolve("plugins"));
        for (String m : exampleModules) {
            Path jar = PluginJars.example(m);
            Files.copy(jar, p.resolve(jar.getFileName()));
        }
        return p;
    }

    private Path emptyFolder() throws IOException {
        return Files.createDirectories(dir.resolve("empty"));
    }

    private Path scenario() throws IOException {
        return Files.writeString(dir.resolve("fill.yaml"), FILL);
    }

    private Map<String, Object> json(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> json, String name) {
        return (Map<String, Object>) json.get(name);
    }

    private static long number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    @Test
    void twoQ_isListedWithItsJar_selectedByAConfigFile_andUnknownWithoutTheJar() throws IOException {
        Path plugins = plugins("two-q");
        Cli.Outcome list = run("policies", "--json", "--plugins", plugins.toString());
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("\"name\": \"2q\"").contains(PluginJars.example("two-q").getFileName().toString())
                .contains("policy.reclaim.2q.kin_percent");

        Path config = Files.writeString(dir.resolve("two-q.yaml"), "policy:\n  reclaim: 2q\n  reclaim.2q.kin_percent: 30\n");
        Path out = dir.resolve("out.json");
        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--config", config.toString(), "--json", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        // Only the 2q plugin declares this key: its presence in the run's config proves the policy was built.
        assertThat(section(json(out), "config")).containsEntry("policy.reclaim", "2q")
                .containsEntry("policy.reclaim.2q.kin_percent", "30");

        Cli.Outcome without = run("run", "--plugins", emptyFolder().toString(),
                "--scenario", scenario().toString(), "--config", config.toString());
        assertThat(without.code()).isEqualTo(2);
        assertThat(without.err()).contains("unknown reclaim policy '2q'").contains("available: ").contains("fifo").contains("lru");
    }

    /** The hot file's warm hit ratio in the built-in workingset scenario under a reclaim policy. */
    @SuppressWarnings("unchecked")
    private double workingsetHotRatio(Path plugins, String policy) throws IOException {
        Path out = dir.resolve("ws-" + policy + ".json");
        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", "workingset",
                "--set", "policy.reclaim=" + policy, "--json", out.toString());
        assertThat(o.code()).as(o.err()).isZero();
        for (Object f : (java.util.List<Object>) json(out).get("page_cache_files")) {
            Map<String, Object> file = (Map<String, Object>) f;
            if ("hot".equals(file.get("name"))) {
                return ((Number) file.get("warm_hit_ratio")).doubleValue();
            }
        }
        throw new AssertionError("no hot file in " + out);
    }

    @Test
    void twoQ_evictsLikeItsPaperSays_keepingTheHotSetThatLruAndFifoLose() throws IOException {
        Path plugins = plugins("two-q");
        // 2Q admits a page to its main queue only when it is used again on probation, so a
        // use-once stream cannot flush the hot set: behaviour only the plugin produces here
        assertThat(workingsetHotRatio(plugins, "2q")).isGreaterThan(0.9);
        assertThat(workingsetHotRatio(plugins, "lru")).isLessThan(0.1);
        assertThat(workingsetHotRatio(plugins, "fifo")).isLessThan(0.1);
    }

    @Test
    void aMisspeltPluginKey_suggestsTheDeclaredOne() throws IOException {
        Cli.Outcome o = run("run", "--plugins", plugins("two-q").toString(), "--scenario", scenario().toString(),
                "--set", "policy.reclaim=2q", "--set", "policy.reclaim.2q.kin_percnt=30");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().strip()).startsWith("vmsim: unknown key 'policy.reclaim.2q.kin_percnt'")
                .endsWith("did you mean 'policy.reclaim.2q.kin_percent'?");
    }

    @Test
    void thpThreshold_mapsFewerHugePagesThanLinux_andIsUnknownWithoutTheJar() throws IOException {
        Path plugins = plugins("thp-threshold");
        Path linux = dir.resolve("linux.json");
        Path threshold = dir.resolve("threshold.json");
        assertThat(run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--json", linux.toString()).code()).isZero();
        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=thp-threshold", "--set", "policy.thp.thp-threshold.threshold=8",
                "--json", threshold.toString());
        assertThat(o.code()).as(o.err()).isZero();
        // 64 MiB is 32 PMD ranges: Linux maps all of them huge, the plugin the last 32 - 8.
        assertThat(number(section(json(linux), "counters"), "thp_fault_alloc")).isEqualTo(32);
        assertThat(number(section(json(threshold), "counters"), "thp_fault_alloc")).isEqualTo(24);
        assertThat(section(json(threshold), "config")).containsEntry("policy.thp", "thp-threshold");

        Cli.Outcome without = run("run", "--plugins", emptyFolder().toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=thp-threshold");
        assertThat(without.code()).isEqualTo(2);
        assertThat(without.err()).contains("unknown thp policy 'thp-threshold'");
    }

    @Test
    void roundRobin_spreadsPagesOverBothNodes_whereFirstTouchFillsNodeZero() throws IOException {
        Path plugins = plugins("round-robin");
        Path first = dir.resolve("first.json");
        Path rr = dir.resolve("rr.json");
        assertThat(run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "machine.nodes=2", "--json", first.toString()).code()).isZero();
        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "machine.nodes=2", "--set", "policy.numa=round-robin", "--json", rr.toString());
        assertThat(o.code()).as(o.err()).isZero();
        Map<String, Object> ft = section(json(first), "meminfo");
        Map<String, Object> spread = section(json(rr), "meminfo");
        long node0 = number(spread, "Node 0 MemFree");
        long node1 = number(spread, "Node 1 MemFree");
        // first touch: 64 MiB and the page tables on node 0, node 1 untouched (128 MiB free)
        assertThat(number(ft, "Node 1 MemFree")).isEqualTo(128 * 1024);
        assertThat(128 * 1024 - node1).isGreaterThan(24 * 1024);
        assertThat(Math.abs(node0 - node1)).isLessThan(8 * 1024);

        Cli.Outcome without = run("run", "--scenario", scenario().toString(), "--plugins", emptyFolder().toString(),
                "--set", "policy.numa=round-robin");
        assertThat(without.code()).isEqualTo(2);
        assertThat(without.err()).contains("unknown numa policy 'round-robin'").contains("available: first-touch");
    }

    @Test
    void aPluginWithItsOwnVersionOfALibraryTheCoreUses_loadsAndRuns() throws IOException {
        // One plugin = one sub-folder: its jar and its libraries share a class loader that sees vm-api and the JDK, not the core's libraries.
        Path plugin = Files.createDirectories(dir.resolve("plugins/yaml-probe"));
        PluginJars.pack(plugin.resolve("yaml-probe.jar"), YamlProbeProvider.class, List.of(YamlProbeProvider.class));
        Path lib = Path.of(System.getProperty("vmsim.test.libs", "target/test-plugin-libs")).resolve("snakeyaml-2.2.jar");
        Files.copy(lib, plugin.resolve("snakeyaml-2.2.jar"));
        assertThat(Yaml.class.getProtectionDomain().getCodeSource().getLocation().toString()).contains("2.3");

        Cli.Outcome list = run("policies", "--plugins", dir.resolve("plugins").toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("yaml-probe .*yaml-probe\\.jar .*SnakeYAML from \\S*snakeyaml-2\\.2\\.jar");
        Cli.Outcome o = run("run", "--plugins", dir.resolve("plugins").toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=yaml-probe", "--json", "-");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("\"policy.thp\": \"yaml-probe\"").contains("\"thp_fault_alloc\": 0");
    }

    private Path faultyPlugins() throws IOException {
        return PluginJars.pack(dir.resolve("plugins/faulty.jar"), FaultyProviders.class,
                List.of(FaultyProviders.ThrowingThp.class, FaultyProviders.NullThp.class,
                        FaultyProviders.BadNode.class, FaultyProviders.ThrowingReclaim.class,
                        FaultyProviders.CreateThrows.class, FaultyProviders.CreateNull.class));
    }

    private void assertStopped(String policyKey, String policy, String call, String what) throws IOException {
        Path jar = faultyPlugins().toAbsolutePath().normalize();
        Path out = dir.resolve(policy + ".json");
        Cli.Outcome o = run("run", "--plugins", jar.getParent().toString(), "--scenario", scenario().toString(),
                "--set", "machine.nodes=2", "--set", policyKey + "=" + policy, "--json", out.toString(),
                // with swap, anonymous pages are evictable and so reach the reclaim policy
                "--set", "swap.size=64M");
        assertThat(o.code()).as(o.err()).isEqualTo(3);
        assertThat(o.err().lines().toList()).singleElement().asString()
                .startsWith("vmsim: run stopped: policy '" + policy + "' (" + jar + "): " + call)
                .contains(what);
        Map<String, Object> partial = json(out);
        long faults = number(section(partial, "counters"), "pgfault");
        assertThat(faults).as("the counters gathered before the failure").isPositive();
        assertThat(section(partial, "config")).containsEntry(policyKey, policy);
        assertThat(o.out()).as("the summary of the partial run").contains("pgfault");
    }

    @Test
    void aPolicyThatThrows_stopsTheRunNamingItsJarAndTheCall_andWritesTheCountersSoFar() throws IOException {
        assertStopped("policy.thp", "throwing-thp", "HugePagePolicy.onFault threw",
                "java.lang.IllegalStateException: boom");
        assertStopped("policy.reclaim", "throwing-reclaim", "ReclaimPolicy.pageAdded(",
                "ArrayIndexOutOfBoundsException");
    }

    @Test
    void aPolicyThatThrows_stillLeavesTheReportOfTheRunSoFar() throws IOException {
        Path jar = faultyPlugins().toAbsolutePath().normalize();
        Path html = dir.resolve("partial.html");
        Cli.Outcome o = run("run", "--plugins", jar.getParent().toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=throwing-thp", "--report", html.toString());
        assertThat(o.code()).as(o.err()).isEqualTo(3);
        assertThat(Files.readString(html)).contains("<div class=\"chart\" id=\"chart6\"");
    }

    @Test
    void aNullHugePageDecision_stopsTheRun() throws IOException {
        assertStopped("policy.thp", "null-thp", "HugePagePolicy.onFault returned null", "expected a FaultDecision");
    }

    @Test
    void aNodeThatDoesNotExist_stopsTheRunInsteadOfBeingClamped() throws IOException {
        assertStopped("policy.numa", "bad-node", "NumaPolicy.allocationNode returned node 7",
                "which does not exist (the machine has nodes 0..1)");
    }

    @Test
    void withJsonOnStdout_thePartialCountersGoThere() throws IOException {
        Path jar = faultyPlugins();
        Cli.Outcome o = run("run", "--plugins", jar.getParent().toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=null-thp", "--json", "-");
        assertThat(o.code()).isEqualTo(3);
        Matcher m = Pattern.compile("\"pgfault\": (\\d+)").matcher(o.out());
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isPositive();
        assertThat(o.err()).contains("vmsim: run stopped: policy 'null-thp'");
    }

    @Test
    void aProviderWhoseCreateThrowsOrReturnsNull_failsWithStatus3NamingThePolicyItsJarAndTheCall() throws IOException {
        Path jar = faultyPlugins().toAbsolutePath().normalize();
        Cli.Outcome threw = run("run", "--plugins", jar.getParent().toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=create-throws");
        assertThat(threw.code()).as(threw.err()).isEqualTo(3);
        assertThat(threw.err().lines().toList()).singleElement().asString()
                .isEqualTo("vmsim: policy 'create-throws' (" + jar + "): PolicyProvider.create threw "
                        + "java.lang.IllegalStateException: no model file next to the jar");

        Cli.Outcome nul = run("run", "--plugins", jar.getParent().toString(), "--scenario", scenario().toString(),
                "--set", "policy.reclaim=create-null");
        assertThat(nul.code()).as(nul.err()).isEqualTo(3);
        assertThat(nul.err().lines().toList()).singleElement().asString()
                .isEqualTo("vmsim: policy 'create-null' (" + jar + "): PolicyProvider.create returned null; expected a ReclaimPolicy");
    }

    /** A jar whose services file names a class it does not hold. */
    private static Path missingClassJar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (java.util.jar.JarOutputStream j = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            j.putNextEntry(new java.util.jar.JarEntry("META-INF/services/io.vmsim.api.policy.PolicyProvider"));
            j.write("com.example.MissingProvider\n".getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar.toAbsolutePath().normalize();
    }

    @Test
    void aFileThatIsNotAJar_isReportedOnStderr_andTheJarsStillLoad() throws IOException {
        Path plugins = plugins("two-q");
        Path notes = Files.writeString(plugins.resolve("README.txt"), "the 2q plugin");
        String warning = "vmsim: warning: " + notes.toAbsolutePath().normalize()
                + " is in the plugin folder but is neither a jar nor a plugin folder; ignored";
        Cli.Outcome list = run("policies", "--plugins", plugins.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.err().lines().toList()).containsExactly(warning);
        assertThat(list.out()).containsPattern("reclaim +2q ");

        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "policy.reclaim=2q");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.err().lines().toList()).containsExactly(warning);
    }

    @Test
    void brokenAndDuplicatePlugins_areListedAndMarked_andTheOthersStillAre() throws IOException {
        Path plugins = plugins("two-q", "thp-threshold");
        Path broken = missingClassJar(plugins.resolve("broken.jar"));
        Path copy = Files.copy(PluginJars.example("two-q"), plugins.resolve("two-q-copy.jar")).toAbsolutePath().normalize();

        Cli.Outcome list = run("policies", "--plugins", plugins.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("reclaim +2q +\\S*plugin-two-q-[^ ]*\\.jar ")
                .containsPattern("thp +thp-threshold ")
                .containsPattern("\\? +\\? +" + Pattern.quote(broken.toString()) + " +NOT LOADED +.*com\\.example\\.MissingProvider.*not found")
                .containsPattern("reclaim +2q +" + Pattern.quote(copy.toString()) + " +NOT LOADED +duplicate reclaim policy name");

        Cli.Outcome json = run("policies", "--json", "--plugins", plugins.toString());
        assertThat(json.code()).as(json.err()).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) (List<?>) new Yaml().loadAs(json.out(), List.class);
        assertThat(entries).filteredOn(e -> "thp-threshold".equals(e.get("name"))).singleElement()
                .satisfies(e -> assertThat(e).doesNotContainKey("error"));
        assertThat(entries).filteredOn(e -> broken.toString().equals(e.get("origin"))).singleElement()
                .satisfies(e -> assertThat((String) e.get("error")).contains("com.example.MissingProvider"));
        assertThat(entries).filteredOn(e -> copy.toString().equals(e.get("origin"))).singleElement()
                .satisfies(e -> assertThat((String) e.get("error")).startsWith("duplicate reclaim policy name"));
    }

    @Test
    void aBrokenPluginThatIsNotSelected_leavesTheRunWorkingWithAWarning_andSelectingWhatItLacksGivesTheReason()
            throws IOException {
        Path plugins = plugins("thp-threshold");
        Path broken = missingClassJar(plugins.resolve("broken.jar"));
        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "policy.thp=thp-threshold", "--json", "-");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("\"policy.thp\": \"thp-threshold\"");
        assertThat(o.err()).contains("vmsim: warning: plugin " + broken + " is not usable: ")
                .contains("com.example.MissingProvider");

        Cli.Outcome selected = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "policy.reclaim=missing");
        assertThat(selected.code()).isEqualTo(2);
        assertThat(selected.err()).contains("vmsim: unknown reclaim policy 'missing'")
                .contains("plugins not loaded: " + broken + " (")
                .contains("com.example.MissingProvider");
    }

    @Test
    void selectingANameTwoPluginsProvide_failsNamingBothJars() throws IOException {
        Path plugins = plugins("two-q");
        Path first = plugins.resolve(PluginJars.example("two-q").getFileName()).toAbsolutePath().normalize();
        Path copy = Files.copy(first, plugins.resolve("two-q-copy.jar")).toAbsolutePath().normalize();
        Cli.Outcome o = run("run", "--plugins", plugins.toString(), "--scenario", scenario().toString(),
                "--set", "policy.reclaim=2q");
        assertThat(o.code()).as(o.err()).isEqualTo(2);
        assertThat(o.err().lines().filter(l -> !l.startsWith("vmsim: warning:")).toList()).singleElement().asString()
                .contains("policy '2q'").contains("duplicate reclaim policy name: provided by both " + first + " and " + copy);
    }
}
