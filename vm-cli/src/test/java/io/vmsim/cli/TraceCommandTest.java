package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

final class TraceCommandTest {
    @TempDir
    Path dir;

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void stats_countsAsTheGroundTruthDoes_andChecksAMetaFile() throws Exception {
        // pages 0x1 (read then written), 0x2 (written first), 0x3 (read only); M counts once
        Path t = Files.writeString(dir.resolve("t.lackey"), String.join("\n",
                "I  04000000,4", " L 00001000,8", " S 00002010,4", " M 00001008,4", " L 00003ffc,8", " L 00001000,8", ""));
        Path good = Files.writeString(dir.resolve("good.meta.json"),
                "{\"data_references\": 5, \"distinct_pages\": 3, \"read_then_written_pages\": 1}");
        Path bad = Files.writeString(dir.resolve("bad.meta.json"),
                "{\"data_references\": 5, \"distinct_pages\": 4, \"read_then_written_pages\": 1}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "trace", "stats", t.toString(), "--meta", good.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("expected pgfault (ample memory)  4").contains("agrees with");
        out.reset();
        assertThat(run(out, err, "trace", "stats", t.toString(), "--meta", bad.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("distinct_pages: meta.json says 4, the trace has 3");
    }

    @Test
    void stats_ofAPageTrace_expectsOnePageCacheMissPerDistinctPage_andNoPageFault() throws Exception {
        // pages 7, 3 and 9 (7 twice): three distinct pages, so three misses with ample memory
        Path t = Files.writeString(dir.resolve("t.pages"), "7\n3\n7\n9\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "trace", "stats", t.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("expected page-cache misses \\(ample memory, block.read_ahead_kb=0\\) +3\\b")
                .doesNotContain("pgfault");
    }

    @Test
    void convert_writesTheFormatOfTheName_andEveryCommandReadsIt() throws Exception {
        // pages 0x1 (read then written), 0x2 (written first), 0x3 (read only); I lines are dropped
        Path t = Files.writeString(dir.resolve("t.lackey"), String.join("\n",
                "I  04000000,4", " L 00001000,8", " S 00002010,4", " M 00001008,4", " L 00003ffc,8", " L 00001000,8", ""));
        Path vmt = dir.resolve("t.vmt");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "trace", "convert", t.toString(), vmt.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("(lackey) -> " + vmt + " (vmt): 5 references");
        out.reset();
        // a vmt converted from lackey is still a process's memory: the pgfault line, as for the lackey file
        assertThat(run(out, err, "trace", "stats", vmt.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("expected pgfault (ample memory)  4")
                .contains("converted from").contains("addresses / 4096");
        out.reset();
        Path og = dir.resolve("t.bin");
        assertThat(run(out, err, "trace", "convert", vmt.toString(), og.toString(), "--to", "oracleGeneral")).isZero();
        assertThat(Files.size(og)).isEqualTo(5 * 24);
        out.reset();
        assertThat(run(out, err, "mrc", "--trace", vmt.toString(), "--policy", "lru", "--frames", "1")).isZero();
        String viaVmt = out.toString(StandardCharsets.UTF_8);
        out.reset();
        assertThat(run(out, err, "mrc", "--trace", t.toString(), "--policy", "lru", "--frames", "1")).isZero();
        // pages 1, 2, 1, 3, 1 with one frame: every reference misses
        assertThat(viaVmt.replace(vmt.toString(), "T")).isEqualTo(out.toString(StandardCharsets.UTF_8).replace(t.toString(), "T"))
                .containsPattern("lru +1 +5 ");
    }

    @Test
    void convert_ofBadInput_namesTheFileTheLineAndTheValue_andWritesNothing() throws Exception {
        Path t = Files.writeString(dir.resolve("bad.lackey"), " L 00001000,8\n L 0000zz00,8\n");
        Path vmt = dir.resolve("bad.vmt");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "trace", "convert", t.toString(), vmt.toString(), "--format", "lackey")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(t + ":2: ").contains("' L 0000zz00,8'");
        assertThat(vmt).doesNotExist();
        err.reset();
        assertThat(run(out, err, "trace", "convert", t.toString(), dir.resolve("x.out").toString())).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot tell the output format").contains("--to");
    }
}
