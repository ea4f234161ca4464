package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line in-process, with captured streams. Every case fails before a simulation
 * starts, so none needs the engine.
 */
final class MainTest {
    @TempDir
    Path dir;



    @Test
    void anMrcCommandLine_namesTheTraceToPrefetch_asPicocliWillReadIt_andNoOtherDoes() {
        assertThat(Main.prefetchable(new String[] {"mrc", "--trace", "t.lackey.xz", "--policy", "lru"}))
                .containsExactly("t.lackey.xz", "auto");
        assertThat(Main.prefetchable(new String[] {"mrc", "--policy", "lru", "--trace=t.xz", "--format", "lackey"}))
                .containsExactly("t.xz", "lackey");
        assertThat(Main.prefetchable(new String[] {"mrc", "--format=auto", "--frames", "100", "--trace", "a b.xz"}))
                .containsExactly("a b.xz", "auto");
        // the value of another option that happens to be "--trace" is not a trace
        assertThat(Main.prefetchable(new String[] {"mrc", "--format", "--trace", "--policy", "lru"})).isNull();
        assertThat(Main.prefetchable(new String[] {"run", "--trace", "t.xz"})).isNull();
        assertThat(Main.prefetchable(new String[] {"mrc", "--help", "--trace", "t.xz"})).isNull();
        assertThat(Main.prefetchable(new String[] {"mrc", "--trace", "a.xz", "--trace", "b.xz"})).isNull();
        assertThat(Main.prefetchable(new String[] {"mrc", "--policy", "lru", "--trace"})).isNull();
    }

    @Test
    void aCommandLineNamingOneSubcommand_buildsThatOneAlone_andEveryOtherBuildsThemAll() {
        java.util.List<String> names = VmsimCommand.SUBCOMMANDS.stream()
                .map(c -> c.getAnnotation(picocli.CommandLine.Command.class).name()).toList();
        assertThat(names).hasSize(8).doesNotHaveDuplicates();
        for (String name : names) {
            assertThat(VmsimCommand.commandLine(name).getSubcommands().keySet()).as(name).containsExactly(name);
            Cli.Outcome help = Cli.run(name, "--help");
            assertThat(help.code()).as(name).isZero();
            assertThat(help.out()).as(name).startsWith("Usage: vmsim " + name);
        }
        for (String other : new String[] {null, "--help", "mrcc", "-V"}) {
            assertThat(VmsimCommand.commandLine(other).getSubcommands().keySet()).as(other).containsExactlyElementsOf(names);
        }
        // the top-level help lists them all; a misspelt name is still matched against all of them
        Cli.Outcome top = Cli.run("--help");
        for (String name : names) {
            assertThat(top.out()).contains("  " + name + " ");
        }
        Cli.Outcome typo = Cli.run("mrcc", "--trace", "x");
        assertThat(typo.code()).isEqualTo(Main.USAGE);
        assertThat(typo.err()).contains("mrcc").contains("mrc");
    }

    @Test
    void unknownKey_exits2WithASuggestion() {
        Cli.Outcome o = run("run", "--set", "vm.swapiness=10");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).containsExactly("vmsim: unknown key 'vm.swapiness' (in --set); did you mean 'vm.swappiness'?");
        assertThat(o.out()).isEmpty();
    }

    @Test
    void unknownKeyInAFile_namesTheFile() throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "vm:\n  swapiness: 10\n");
        Cli.Outcome o = run("run", "--config", f.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).containsExactly("vmsim: unknown key 'vm.swapiness' (in " + f + "); did you mean 'vm.swappiness'?");
    }

    @Test
    void wrongType_exits2SayingWhatWasExpected() {
        Cli.Outcome o = run("run", "--set", "machine.memory=lots");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).containsExactly(
                "vmsim: 'machine.memory' = 'lots' (in --set): expected a size in bytes (e.g. 4096, 64K, 2M, 16G)");
    }

    @Test
    void unknownPolicy_exits2ListingTheAvailableOnes() {
        // 'lur' is as far from 'lirs' as from 'lru' now that lirs exists; 'lruu' is one edit from lru.
        Cli.Outcome o = run("run", "--set", "policy.reclaim=lruu");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString()
                .startsWith("vmsim: unknown reclaim policy 'lruu'")
                .contains("available: ").contains("fifo, ").contains(", lru")
                .endsWith("did you mean 'lru'?");
    }

    @Test
    void severalProblems_printOneLineEach() {
        Cli.Outcome o = run("run", "--set", "vm.swapiness=10", "--set", "machine.memory=lots", "--json", "-");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).hasSize(2).allSatisfy(l -> assertThat(l).startsWith("vmsim: "));
        assertThat(o.out()).isEmpty();
    }

    @Test
    void unknownScenario_exits2InOneLine() {
        Cli.Outcome o = run("run", "--scenario", "no-such-scenario");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString().startsWith("vmsim: ").contains("no-such-scenario");
        assertThat(o.err()).doesNotContain("\tat ");
    }

    @Test
    void scenarioAndTrace_cannotBeCombined() {
        Cli.Outcome o = run("run", "--scenario", "largepages3", "--trace", "t.txt");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString().contains("cannot be combined");
    }

    @Test
    void missingTrace_exits2() {
        Cli.Outcome o = run("run", "--trace", dir.resolve("absent.lackey").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString().contains("absent.lackey").contains("does not exist");
    }

    @Test
    void missingPluginFolder_exits2() {
        Cli.Outcome o = run("policies", "--plugins", dir.resolve("nope").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString().contains("plugin folder");
    }

    @Test
    void unknownOption_exits2InOneLine() {
        Cli.Outcome o = run("run", "--bogus");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).containsExactly("vmsim: Unknown option: '--bogus' (see 'vmsim run --help')");
    }

    @Test
    void opt_inARun_isAConfigurationThatCannotWork_exit2NamingTheStudy() {
        Cli.Outcome o = run("run", "--scenario", "workingset", "--set", "policy.reclaim=opt");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()[o.errLines().length - 1]).contains("opt").contains("replacement study");
    }

    @Test
    void debug_printsTheStackTrace() {
        Cli.Outcome o = run("run", "--debug", "--set", "machine.memory=lots");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("ConfigException").contains("\tat ");
    }

    @Test
    void policies_listsEveryBuiltInWithItsOrigin() {
        Cli.Outcome o = run("policies");
        assertThat(o.code()).isZero();
        assertThat(o.out()).containsPattern("reclaim +lru +built-in \\(policies-lru\\)")
                .containsPattern("reclaim +fifo +built-in \\(policies-lru\\)")
                .containsPattern("thp +linux +built-in \\(policies-thp\\)")
                .containsPattern("thp +never +built-in \\(policies-thp\\)")
                .containsPattern("numa +first-touch +built-in \\(policies-numa\\)")
                .containsPattern("ksm +none +built-in \\(policies-ksm\\)")
                .containsPattern("migration +last-fault-first +built-in \\(policies-migration\\)")
                .containsPattern("migration +linear +built-in \\(policies-migration\\)")
                .containsPattern("migration +adaptive-prepaging +built-in \\(policies-migration\\)")
                .contains("policy.thp.linux.max_ptes_none");
        assertThat(o.err()).isEmpty();
    }

    @Test
    void policiesJson_isOneArrayWithOrigins() {
        Cli.Outcome o = run("policies", "--json");
        assertThat(o.code()).isZero();
        assertThat(o.out()).startsWith("[").endsWith("]\n")
                .contains("\"name\": \"first-touch\"").contains("\"origin\": \"built-in (policies-numa)\"");
    }

    @Test
    void configShow_saysWhereEachValueCameFrom() throws IOException {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "machine.cpus = 8\n");
        Cli.Outcome o = run("config", "show", "--config", f.toString(), "--set", "vm.swappiness=10");
        assertThat(o.code()).isZero();
        assertThat(o.out()).containsPattern("vm\\.swappiness +10 +command line")
                .containsPattern("machine\\.cpus +8 +" + java.util.regex.Pattern.quote(f.toString()))
                .containsPattern("seed +42 +default")
                .containsPattern("policy\\.thp\\.linux\\.max_ptes_none +511 +default");
    }

    @Test
    void configShowWithoutAScenario_showsWhatAPlainRunUses_withEveryKeysRuleAndUnit() {
        Cli.Outcome o = run("config", "show");
        assertThat(o.code()).isZero();
        // largepages3, the default scenario, sets these (vm-core/src/main/resources/scenarios/largepages3.yaml)
        assertThat(o.out()).containsPattern("(?m)^machine\\.memory +4G +scenario largepages3 +16 MiB\\.\\.4 TiB")
                .containsPattern("(?m)^cpu\\.profile +reference-2010 +scenario largepages3 +haswell\\|reference-2010\\|host$")
                .containsPattern("(?m)^mm\\.transparent_hugepage\\.enabled +always +scenario largepages3 +always\\|madvise\\|never$")
                // Documentation/admin-guide/sysctl/vm.rst: swappiness 0..200, dirty_ratio a percentage
                .containsPattern("(?m)^vm\\.swappiness +60 +default +0\\.\\.200$")
                .containsPattern("(?m)^vm\\.dirty_ratio +20 +default +1\\.\\.100 %$")
                .containsPattern("(?m)^vm\\.min_free_kbytes +-1 +default +>= -1 kB$")
                .containsPattern("(?m)^mm\\.transparent_hugepage\\.khugepaged\\.scan_sleep_millisecs +10000 +default +1\\.\\.2\\^31 ms$")
                .containsPattern("(?m)^cost\\.access_ns +0\\.5 +scenario largepages3 +0\\.\\.1e9 ns$");
        String[] lines = o.out().split("\n");
        assertThat(lines[0]).matches("KEY +VALUE +SOURCE +RULE");
        for (String line : lines) {
            // key, value, source and rule: four columns two or more spaces apart on every row
            assertThat(line.split(" {2,}")).as(line).hasSize(4);
        }
    }

    @Test
    void configShow_reportsBadInputLikeRun() {
        Cli.Outcome o = run("config", "show", "--set", "mm.transparent_hugepage.enabled=alway");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.errLines()).singleElement().asString().endsWith("did you mean 'always'?");
    }

    @Test
    void scenarios_listsTheDefaultScenario() {
        Cli.Outcome o = run("scenarios");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("largepages3");
    }
}
