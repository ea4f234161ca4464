package io.vmsim.cli;

import io.vmsim.core.sweep.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code vmsim sweep} with the local engine: points, results, failures, resuming, a kill. */
final class SweepCommandTest {
    /** A small page-number trace: about half a second a run. */
    static final String TRACE = "src/test/resources/traces/cloudphysics-prefix.pages.gz";

    @TempDir
    Path dir;

    private static List<String> files(Path points) throws Exception {
        try (Stream<Path> s = Files.list(points)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Path out) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("results.jsonl"))) {
            rows.add((Map<String, Object>) Json.parse(l));
        }
        return rows;
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachPointIsTheRunOfItsConfiguration_inTheProductsOrder() throws Exception {
        Path out = dir.resolve("s");
        Cli.Outcome o = Cli.run("sweep", "--trace", TRACE, "--vary", "policy.reclaim=lru,clock", "--vary",
                "machine.memory=16M,24M", "--out", out.toString());
        assertThat(o.code()).as(o.err()).isEqualTo(0);
        List<Map<String, Object>> rows = rows(out);
        assertThat(rows).extracting(r -> ((Map<String, Object>) r.get("vary")).values().toString())
                .containsExactly("[lru, 16M]", "[lru, 24M]", "[clock, 16M]", "[clock, 24M]");
        assertThat(rows).extracting(r -> r.get("status")).containsOnly("ok");
        assertThat(files(out.resolve("points"))).hasSize(4).allMatch(n -> n.matches("[0-9a-f]{24}\\.json"));
        // the independent source: vmsim run of the same configuration and seed
        Map<String, Object> third = rows.get(2);
        Cli.Outcome run = Cli.run("run", "--trace", TRACE, "--set", "policy.reclaim=clock", "--set", "machine.memory=16M",
                "--set", "seed=" + third.get("seed"), "--json", "-");
        assertThat(run.code()).isEqualTo(0);
        Map<String, Object> json = (Map<String, Object>) Json.parse(run.out());
        Map<String, Object> counters = (Map<String, Object>) json.get("counters");
        Map<String, Object> metrics = (Map<String, Object>) third.get("metrics");
        for (String k : List.of("pgpgin", "pgscan_kswapd", "pgsteal_kswapd", "workingset_refault_file")) {
            assertThat(metrics.get(k)).as(k).isEqualTo(counters.get(k));
        }
        assertThat(metrics.get("time_ns")).isEqualTo(json.get("time_ns"));
        assertThat(metrics).doesNotContainKey("wall_ms");
        String csv = Files.readString(out.resolve("results.csv"));
        assertThat(csv.lines().findFirst().orElseThrow())
                .startsWith("point,index,workload,repeat,seed,policy.reclaim,machine.memory,status,error,");
        assertThat(csv).doesNotContain("wall_ms");
    }

    @Test
    void aBadKeyOrValueFailsBeforeAnyPointRuns() {
        Path out = dir.resolve("bad");
        Cli.Outcome o = Cli.run("sweep", "--trace", TRACE, "--vary", "polcy.reclaim=lru,clock", "--vary",
                "machine.memory=16M,1X", "--out", out.toString());
        assertThat(o.code()).isEqualTo(Main.USAGE);
        assertThat(o.err()).contains("'polcy.reclaim'").contains("'1X'");
        assertThat(Files.exists(out)).isFalse();
        Cli.Outcome zip = Cli.run("sweep", "--trace", TRACE, "--zip", "--vary", "policy.reclaim=lru,clock,fifo", "--vary",
                "machine.memory=16M,24M", "--out", out.toString());
        assertThat(zip.code()).isEqualTo(Main.USAGE);
        assertThat(zip.err()).contains("policy.reclaim: 3").contains("machine.memory: 2");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailedPointIsRecordedAndTheOthersRun_exit4_andARerunSkipsEveryPoint() throws Exception {
        Path out = dir.resolve("f");
        String[] args = {"sweep", "--trace", TRACE, "--vary", "policy.reclaim=opt,fifo", "--set", "machine.memory=16M",
                "--out", out.toString()};
        Cli.Outcome o = Cli.run(args);
        assertThat(o.code()).as(o.err()).isEqualTo(Main.SWEEP_POINTS_FAILED);
        List<Map<String, Object>> rows = rows(out);
        assertThat(rows.get(0).get("status")).isEqualTo("failed");
        assertThat((String) rows.get(0).get("error")).contains("opt");
        assertThat((Map<String, Object>) rows.get(0).get("metrics")).isEmpty();
        assertThat(rows.get(1).get("status")).isEqualTo("ok");
        assertThat(files(out.resolve("points"))).anyMatch(n -> n.endsWith(".error.json"));
        assertThat(o.err()).contains("point 0").contains("failed");
        String csv = Files.readString(out.resolve("results.csv"));
        // derived seeds: each point its own
        assertThat(rows).extracting(r -> r.get("seed")).doesNotHaveDuplicates();
        Cli.Outcome again = Cli.run(args);
        assertThat(again.code()).isEqualTo(Main.SWEEP_POINTS_FAILED);
        assertThat(again.err()).contains("2 of 2 points already finished").contains("1 of them failed");
        assertThat(again.out()).contains("0 run now");
        assertThat(Files.readString(out.resolve("results.csv"))).isEqualTo(csv);
    }

    @Test
    void aFixedSeedIsHonoured_andRepeatsStillGetFilesOfTheirOwn() throws Exception {
        Path out = dir.resolve("seed");
        Cli.Outcome o = Cli.run("sweep", "--trace", TRACE, "--vary", "machine.memory=16M", "--set", "seed=7", "--repeat", "2",
                "--out", out.toString());
        assertThat(o.code()).as(o.err()).isEqualTo(0);
        assertThat(rows(out)).extracting(r -> r.get("seed")).containsExactly(7L, 7L);
        assertThat(files(out.resolve("points"))).hasSize(2);
    }

    /** A plugin rebuilt between two sweeps into one folder: its points run again, the built-in policy's do not. */
    @Test
    void aChangedPluginJarRunsItsPointsAgain() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = plugins.resolve("two-q.jar");
        Files.copy(PluginJars.example("two-q"), jar);
        Path out = dir.resolve("p");
        String[] args = {"sweep", "--trace", TRACE, "--plugins", plugins.toString(), "--vary", "policy.reclaim=2q,lru",
                "--set", "machine.memory=16M", "--out", out.toString()};
        assertThat(Cli.run(args).code()).isEqualTo(0);
        assertThat(Cli.run(args).err()).contains("2 of 2 points already finished");
        // the same classes, one more entry: another jar as far as anyone can tell
        Path rebuilt = dir.resolve("rebuilt.jar");
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(jar));
             java.util.zip.ZipOutputStream o = new java.util.zip.ZipOutputStream(Files.newOutputStream(rebuilt))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                o.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(o);
                o.closeEntry();
            }
            o.putNextEntry(new java.util.zip.ZipEntry("CHANGES.txt"));
            o.write("rebuilt".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            o.closeEntry();
        }
        Files.move(rebuilt, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Cli.Outcome again = Cli.run(args);
        assertThat(again.code()).as(again.err()).isEqualTo(0);
        assertThat(again.err()).contains("1 of 2 points already finished");
        assertThat(again.out()).contains("1 run now");
    }

    @Test
    void theSparkEngineWithoutSparkSaysHowToGetIt() {
        Cli.Outcome o = Cli.run("sweep", "--trace", TRACE, "--vary", "machine.memory=16M", "--engine", "spark",
                "--out", dir.resolve("x").toString());
        assertThat(o.code()).isEqualTo(Main.USAGE);
        assertThat(o.err()).contains("spark-submit").contains("docs/sweeps.md");
    }

    /**
     * kill -9 in the middle of a sweep, then the same sweep again: every point exists once, the
     * points finished before the kill are not run again (their files are the same files), and the
     * results are those of a sweep never interrupted.
     */
    @Test
    void aSweepKilledMidwayResumesLosingAndRepeatingNoPoint() throws Exception {
        assumeTrue(File.separatorChar == '/', "POSIX kill");
        List<String> sweep = List.of("sweep", "--trace", TRACE, "--vary", "policy.reclaim=lru,fifo,clock", "--vary",
                "machine.memory=16M,20M,24M", "--jobs", "1");
        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.vmsim.cli.Main"));
        cmd.addAll(sweep);
        cmd.addAll(List.of("--out", killed.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.txt").toFile()).start();
        Path points = killed.resolve("points");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && p.isAlive()
                && (!Files.isDirectory(points) || files(points).stream().filter(n -> n.endsWith(".json")).count() < 3)) {
            Thread.sleep(20);
        }
        assertThat(p.isAlive()).as("the child finished before it could be killed: %s", Files.readString(dir.resolve("child.txt"))).isTrue();
        p.destroyForcibly(); // SIGKILL on POSIX
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Map<String, Object> before = new HashMap<>();
        for (String n : files(points)) {
            if (n.endsWith(".json")) {
                before.put(n, Files.readAttributes(points.resolve(n), java.nio.file.attribute.BasicFileAttributes.class).fileKey());
            }
        }
        assertThat(before.size()).isBetween(3, 8);

        List<String> resume = new ArrayList<>(sweep);
        resume.addAll(List.of("--out", killed.toString()));
        Cli.Outcome r = Cli.run(resume.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.err()).contains(before.size() + " of 9 points already finished");
        assertThat(r.out()).contains((9 - before.size()) + " run now");
        List<String> after = files(points);
        assertThat(after).hasSize(9).allMatch(n -> n.matches("[0-9a-f]{24}\\.json"));
        for (Map.Entry<String, Object> e : before.entrySet()) {
            Object key = Files.readAttributes(points.resolve(e.getKey()), java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            assertThat(key).as("%s was written again", e.getKey()).isEqualTo(e.getValue());
        }

        Path whole = dir.resolve("whole");
        List<String> once = new ArrayList<>(sweep);
        once.addAll(List.of("--out", whole.toString()));
        assertThat(Cli.run(once.toArray(String[]::new)).code()).isEqualTo(0);
        assertThat(Files.readString(killed.resolve("results.csv"))).isEqualTo(Files.readString(whole.resolve("results.csv")));
        assertThat(Files.readString(killed.resolve("results.jsonl"))).isEqualTo(Files.readString(whole.resolve("results.jsonl")));
        assertThat(files(whole.resolve("points"))).isEqualTo(after);
    }
}
