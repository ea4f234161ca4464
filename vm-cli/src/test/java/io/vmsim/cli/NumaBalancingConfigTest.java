package io.vmsim.cli;

import org.junit.jupiter.api.Test;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code kernel.numa_balancing} selects the NUMA policy the way the documentation says (docs/configuration.md). */
final class NumaBalancingConfigTest {
    @Test
    void balancingOn_makesLinuxTheDefaultNumaPolicy() {
        assertThat(run("config", "show", "--set", "kernel.numa_balancing=1").out())
                .containsPattern("(?m)^policy\\.numa +linux +default ");
        assertThat(run("config", "show").out()).containsPattern("(?m)^policy\\.numa +first-touch +default ");
        assertThat(run("config", "show", "--set", "kernel.numa_balancing=1", "--set", "policy.numa=first-touch").out())
                .containsPattern("(?m)^policy\\.numa +first-touch +command line ");
    }

    @Test
    void tieringScenario_promotesAndDemotes_andTheRunJsonCountsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path json = dir.resolve("tiering.json");
        Cli.Outcome o = run("run", "--scenario", "tiering", "--json", json.toString());
        assertThat(o.code()).as(o.err()).isZero();
        String text = java.nio.file.Files.readString(json);
        for (String counter : new String[] {"pgpromote_success", "pgdemote_kswapd"}) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + counter + "\"\\s*:\\s*(\\d+)").matcher(text);
            assertThat(m.find()).as(counter).isTrue();
            assertThat(Long.parseLong(m.group(1))).as(counter).isPositive();
        }
    }
}
