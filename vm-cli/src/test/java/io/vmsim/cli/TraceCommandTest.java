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
}
