package io.vmsim.spark;

import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.sweep.LocalEngine;
import io.vmsim.core.sweep.Sweep;
import io.vmsim.core.sweep.SweepEngine;
import io.vmsim.core.sweep.SweepOutput;
import io.vmsim.core.sweep.SweepPlan;
import io.vmsim.core.sweep.SweepPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance test of the Spark engine: the same sweep, a plugin policy among its values,
 * gives byte-identical results with the local engine and with Spark {@code local[2]} (kept
 * small: Spark's start-up is most of its time).
 */
final class SparkSweepEngineTest {
    static final String TRACE = "../vm-cli/src/test/resources/traces/cloudphysics-prefix.pages.gz";

    @TempDir
    Path dir;

    private static Path exampleJar(String module) throws Exception {
        Path target = Path.of(System.getProperty("vmsim.examples.dir", "../plugins-examples")).resolve(module).resolve("target");
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("plugin-" + module + "-[^-].*\\.jar")).findFirst().orElseThrow();
        }
    }

    private Sweep.Summary sweep(io.vmsim.core.sweep.SweepJob job, SweepEngine engine, Path out, String master) throws Exception {
        try (PolicyRegistry catalog = PolicyRegistry.load(Path.of(job.pluginsDir()))) {
            List<SweepPoint> points = SweepPlan.expand(job, catalog);
            return Sweep.run(job, points, catalog, new SweepOutput(out), engine, new SweepEngine.Options(0, master),
                    Progress.NONE, (f, failed, total) -> { });
        }
    }

    @Test
    void theLocalAndTheSparkEngineWriteTheSameResults() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(exampleJar("two-q"), plugins.resolve("two-q.jar"));
        io.vmsim.core.sweep.SweepJob job = new io.vmsim.core.sweep.SweepJob(
                List.of(new io.vmsim.core.sweep.SweepJob.Workload(true, TRACE)),
                io.vmsim.core.sweep.SweepJob.parseVary(List.of("policy.reclaim=lru,2q,opt", "machine.memory=16M,24M")),
                false, 1, List.of(), null, plugins.toString(), null);

        Sweep.Summary local = sweep(job, new LocalEngine(), dir.resolve("local"), null);
        Sweep.Summary spark = sweep(job, new SparkSweepEngine(), dir.resolve("spark"), "local[2]");

        assertThat(spark).isEqualTo(local);
        assertThat(local.points()).isEqualTo(6);
        assertThat(local.failed()).as("opt fails in a run, in both engines alike").isEqualTo(2);
        String csv = Files.readString(dir.resolve("local/results.csv"));
        assertThat(csv.lines().filter(l -> l.contains(",2q,") && l.contains(",ok,"))).as("the plugin ran on Spark's side").hasSize(2);
        assertThat(Files.readAllBytes(dir.resolve("spark/results.csv"))).isEqualTo(Files.readAllBytes(dir.resolve("local/results.csv")));
        assertThat(Files.readAllBytes(dir.resolve("spark/results.jsonl")))
                .isEqualTo(Files.readAllBytes(dir.resolve("local/results.jsonl")));
        try (Stream<Path> a = Files.list(dir.resolve("local/points")); Stream<Path> b = Files.list(dir.resolve("spark/points"))) {
            assertThat(b.map(p -> p.getFileName().toString()).sorted().toList())
                    .isEqualTo(a.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theVmsimDistributionHoldsNoSparkJar() throws Exception {
        Path lib = Path.of("../vm-cli/target/lib");
        try (Stream<Path> s = Files.list(lib)) {
            List<String> jars = s.map(p -> p.getFileName().toString()).toList();
            assertThat(jars).contains("vm-core-0.1.0-SNAPSHOT.jar");
            assertThat(jars).noneMatch(n -> n.startsWith("spark-") || n.startsWith("scala-") || n.startsWith("vm-spark"));
        }
    }
}
