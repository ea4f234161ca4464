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
    void numa02_runsWithBalancingFromItsConfig_andTieringIsRefused() {
        Cli.Outcome o = run("run", "--scenario", "numa02", "--set", "kernel.numa_balancing=2");
        assertThat(o.code()).isNotZero();
        assertThat(o.err()).contains("kernel.numa_balancing").contains("not built yet");
    }
}
