package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vmsim.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

/** `vmsim run` end to end, in-process. */
final class RunCommandTest {
    @TempDir
    Path dir;



    private static long walkRefs(String json, String mode, int levels, String guest, String host) {
        String hostJson = host == null ? "null" : "\"" + host + "\"";
        Pattern p = Pattern.compile("\\{\"mode\": \"" + mode + "\", \"levels\": " + levels + ", \"guest_page\": \"" + guest
                + "\", \"host_page\": " + Pattern.quote(hostJson) + ", \"walk_refs\": (\\d+)}");
        Matcher m = p.matcher(json);
        assertThat(m.find()).as(mode + " " + levels + " " + guest + "/" + host).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void nestedWalkScenario_printsTheTable_andItsJsonHasTheSeedsFigures() {
        Cli.Outcome o = run("run", "--scenario", "nested-walk", "--json", "-");
        assertThat(o.code()).isEqualTo(0);
        assertThat(walkRefs(o.out(), "native", 4, "4K", null)).isEqualTo(4);
        assertThat(walkRefs(o.out(), "native", 4, "2M", null)).isEqualTo(3);
        assertThat(walkRefs(o.out(), "native", 4, "1G", null)).isEqualTo(2);
        assertThat(walkRefs(o.out(), "nested", 4, "4K", "4K")).isEqualTo(24);
        assertThat(walkRefs(o.out(), "nested", 4, "4K", "2M")).isEqualTo(19);
        assertThat(walkRefs(o.out(), "nested", 4, "2M", "2M")).isEqualTo(15);
        assertThat(walkRefs(o.out(), "native", 5, "4K", null)).isEqualTo(5);
        assertThat(walkRefs(o.out(), "nested", 5, "4K", "4K")).isEqualTo(35);
        assertThat(o.err()).contains("nested walk").contains("24").contains("35");
    }

    @Test
    void sameScenarioAndSeed_giveByteIdenticalJson() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        assertThat(run("run", "--scenario", "sample", "--json", a.toString()).code()).isEqualTo(0);
        assertThat(run("run", "--scenario", "sample", "--json", b.toString()).code()).isEqualTo(0);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        String json = Files.readString(a);
        assertThat(json).contains("\"counters\"", "\"meminfo\"", "\"tlb\"", "\"phases\"", "\"time_ns\"",
                "\"l1_misses\"", "\"stlb_misses\"", "\"walk_refs\"", "\"pgfault\"");
    }

    @Test
    void aDifferentSeed_changesTheRandomPhases() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        run("run", "--scenario", "sample", "--json", a.toString());
        run("run", "--scenario", "sample", "--set", "seed=7", "--json", b.toString());
        assertThat(Files.readString(a)).isNotEqualTo(Files.readString(b));
    }

    @Test
    void pageTraceReplay_twiceGivesIdenticalJson_andReadsEachDistinctPageFromStorageOnce() throws Exception {
        Path trace = Path.of(RunCommandTest.class.getResource("/traces/cloudphysics-prefix.pages.gz").toURI());
        // brute force: every reference is a read() of a page of the trace's file; with memory for
        // all of them and readahead off, each distinct page misses once and every other read hits
        java.util.Set<Long> pages = new java.util.HashSet<>();
        long refs = 0;
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(trace)), StandardCharsets.US_ASCII))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) {
                    pages.add(Long.parseLong(line.trim()));
                    refs++;
                }
            }
        }
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        String[] args = {"run", "--trace", trace.toString(), "--set", "machine.memory=1G", "--set", "block.read_ahead_kb=0",
                "--json", a.toString()};
        Cli.Outcome o = run(args);
        assertThat(o.code()).isEqualTo(0);
        args[args.length - 1] = b.toString();
        assertThat(run(args).code()).isEqualTo(0);
        String json = Files.readString(a);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(json).contains("\"refs\": " + refs + ",").contains("\"pgfault\": 0,")
                .contains("\"reads\": " + refs + ",").contains("\"misses\": " + pages.size() + ",")
                .contains("\"hits\": " + (refs - pages.size()) + ",");
        assertThat(o.out()).contains("page cache by file").contains("cloudphysics-prefix.pages.gz");
    }

    @Test
    void aTraceWithABadLine_exits2NamingFileAndLine() throws Exception {
        Path t = dir.resolve("bad.lackey");
        Files.writeString(t, " L 04222cac,8\n S 04222cb0,4\nthis is not lackey\n");
        Cli.Outcome o = run("run", "--trace", t.toString(), "--set", "trace.format=lackey");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines().toList()).hasSize(1);
        assertThat(o.err()).contains("bad.lackey:3").contains("expected a valgrind lackey line");
    }

    @Test
    void aScenarioThatTouchesUnmappedMemory_exits2WithOneLine() throws Exception {
        Path s = dir.resolve("bad.yaml");
        Files.writeString(s, String.join("\n",
                "name: bad",
                "description: touches memory after unmapping it",
                "processes:",
                "  - name: p",
                "    threads: [0]",
                "    vmas:",
                "      - { name: a, size: 64K }",
                "phases:",
                "  - { name: unmap, op: munmap, vma: a }",
                "  - { name: touch, op: sequential, vma: a }",
                ""));
        Cli.Outcome o = run("run", "--scenario", s.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines().toList()).hasSize(1);
        assertThat(o.err()).contains("phase 'touch'").contains("segmentation fault");
    }
}
