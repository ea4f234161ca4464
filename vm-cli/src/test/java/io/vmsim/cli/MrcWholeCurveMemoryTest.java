package io.vmsim.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vmsim mrc --policy lru --frames all} prints a curve of every size without holding the
 * table's text on the heap: in a 48 MiB heap, a loop over 400,000 pages (400,000 sizes) prints
 * every row. LRU on a loop of N pages replayed twice misses every reference at every size below
 * N, and only the first N at N (Mattson's stack distances: every re-reference is at distance N).
 */
final class MrcWholeCurveMemoryTest {
    @TempDir
    Path dir;

    @Test
    void aCurveOf400000SizesPrintsInA48MiBHeap() throws Exception {
        int pages = 400_000;
        Path out = wholeCurveIn48MiB(pages);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(2 + pages);
        assertThat(lines.get(0)).isEqualTo("seq:pages=" + pages + ",refs=" + 2 * pages + ": " + 2 * pages
                + " references, " + pages + " distinct pages");
        assertThat(lines.get(1).split(" +")).containsExactly("POLICY", "FRAMES", "MISSES", "MISS", "RATIO");
        assertThat(lines.get(2).split(" +")).containsExactly("lru", "1", Integer.toString(2 * pages), "1.000000");
        assertThat(lines.get(1 + pages - 1).split(" +"))
                .containsExactly("lru", Integer.toString(pages - 1), Integer.toString(2 * pages), "1.000000");
        assertThat(lines.get(1 + pages).split(" +"))
                .containsExactly("lru", Integer.toString(pages), Integer.toString(pages), "0.500000");
        // columns line up as the table lays them out: the misses start where MISSES does
        assertThat(lines.get(2).indexOf(Integer.toString(2 * pages))).isEqualTo(lines.get(1).indexOf("MISSES"));
    }

    /** The JSON of the same curve is written row by row too: no tree of 400,000 maps, no string of the whole document. */
    @Test
    void theJsonOfACurveOf400000SizesIsWrittenInA48MiBHeap() throws Exception {
        int pages = 400_000;
        Path json = dir.resolve("curve.json");
        wholeCurveIn48MiB(pages, "--json", json.toString());
        long rows = 0;
        String first = null;
        String last = null;
        try (java.io.BufferedReader r = Files.newBufferedReader(json)) {
            for (String l; (l = r.readLine()) != null; ) {
                if (l.startsWith("    {\"policy\"")) {
                    rows++;
                    first = first == null ? l : first;
                    last = l;
                }
            }
        }
        assertThat(rows).isEqualTo(pages);
        assertThat(first).isEqualTo("    {\"policy\": \"lru\", \"frames\": 1, \"misses\": " + 2 * pages + ", \"miss_ratio\": 1.0},");
        assertThat(last).isEqualTo("    {\"policy\": \"lru\", \"frames\": " + pages + ", \"misses\": " + pages
                + ", \"miss_ratio\": 0.5}");
    }

    /**
     * Runs {@code mrc --frames all} on a loop over {@code pages} pages (two passes) in a JVM of
     * 48 MiB heap, with {@code extra} arguments; asserts it exits 0 in time, returns its stdout.
     */
    private Path wholeCurveIn48MiB(int pages, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx48m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.vmsim.cli.Main");
        cmd.addAll(List.of("mrc", "--trace", "seq:pages=" + pages + ",refs=" + 2 * pages, "--policy", "lru",
                "--frames", "all", "--threads", "1"));
        cmd.addAll(List.of(extra));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        return out;
    }
}
