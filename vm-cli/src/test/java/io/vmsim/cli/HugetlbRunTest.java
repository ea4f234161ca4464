package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** hugetlbfs areas in a scenario, end to end: meminfo of the pool, and a one-line error when it is short. */
final class HugetlbRunTest {
    @TempDir
    Path dir;



    private Path scenario() throws Exception {
        Path s = dir.resolve("db.yaml");
        Files.writeString(s, String.join("\n",
                "name: db",
                "description: a database on 2 MiB hugetlbfs pages",
                "config:",
                "  machine.memory: 256M",
                "processes:",
                "  - name: postgres",
                "    vmas:",
                "      - { name: shared_buffers, size: 8M, hugetlb: 2M }",
                "phases:",
                "  - { name: warm, op: memset, vma: shared_buffers, stride: 4096 }",
                ""));
        return s;
    }

    @Test
    void aPoolLargeEnough_backsTheAreaAndShowsInMeminfo() throws Exception {
        Cli.Outcome o = run("run", "--scenario", scenario().toString(), "--set", "vm.nr_hugepages=6", "--json", "-");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("\"HugePages_Total\": 6").contains("\"HugePages_Free\": 2")
                .contains("\"HugePages_Rsvd\": 0").contains("\"pgfault\": 4,");
    }

    @Test
    void anEmptyPool_failsWithOneLineNamingTheProcessAndThePageSize() throws Exception {
        Cli.Outcome o = run("run", "--scenario", scenario().toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines().toList()).hasSize(1);
        assertThat(o.err()).contains("postgres").contains("2M").contains("vm.nr_hugepages");
    }
}
