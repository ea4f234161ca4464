package io.vmsim.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TraceStatsTest {
    @TempDir
    Path dir;

    /** The meta.json definitions, by HashMap and first-reference kind. */
    private static long[] bruteForce(long[] refs) {
        Map<Long, Boolean> firstIsLoad = new HashMap<>();
        Map<Long, Boolean> written = new HashMap<>();
        long data = 0;
        for (long ref : refs) {
            int k = TraceReader.kind(ref);
            if (k == TraceReader.INSTR) {
                continue;
            }
            data++;
            long page = TraceReader.address(ref) / 4096;
            firstIsLoad.putIfAbsent(page, k == TraceReader.LOAD);
            if (TraceReader.isWrite(ref)) {
                written.put(page, true);
            }
        }
        long rtw = firstIsLoad.entrySet().stream().filter(e -> e.getValue() && written.containsKey(e.getKey())).count();
        return new long[] {data, firstIsLoad.size(), rtw};
    }

    private static void assertMatchesBruteForce(long[] refs) throws IOException {
        TraceStats s = TraceStats.of(PreparsedTrace.of("x", refs).reader());
        long[] bf = bruteForce(refs);
        assertThat(new long[] {s.references(), s.distinctPages(), s.readThenWrittenPages()}).containsExactly(bf);
        assertThat(s.loads() + s.stores() + s.modifies()).isEqualTo(s.references());
        assertThat(s.expectedPageFaults()).isEqualTo(bf[1] + bf[2]);
    }

    @Test
    void sortAndPythonPrefixes_matchBruteForce() throws IOException {
        long[] sort = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.SORT), false);
        long[] python = TraceTestSupport.lackeyByRegex(TraceTestSupport.lines(TraceTestSupport.PYTHON), true);
        assertMatchesBruteForce(sort);
        assertMatchesBruteForce(python);
        TraceStats s = TraceStats.of(PreparsedTrace.of("py", python).reader());
        assertThat(s.instructions()).isPositive();
        assertThat(s.readThenWrittenPages()).isPositive();
    }

    @Test
    void cloudphysicsPrefix_matchesBruteForce_andHasNoWrites() throws IOException {
        long[] cp = TraceTestSupport.pagesByParseLong(TraceTestSupport.lines(TraceTestSupport.CLOUDPHYSICS));
        assertMatchesBruteForce(cp);
        assertThat(TraceStats.of(PreparsedTrace.of("cp", cp).reader()).readThenWrittenPages()).isZero();
    }

    @Test
    void readThenWritten_countsOnlyPagesFirstLoaded() throws IOException {
        long[] refs = {
            TraceReader.encode(0x1000, TraceReader.LOAD), TraceReader.encode(0x1ff8, TraceReader.MODIFY), // counted
            TraceReader.encode(0x2000, TraceReader.STORE), TraceReader.encode(0x2000, TraceReader.LOAD),   // first write
            TraceReader.encode(0x3000, TraceReader.LOAD), TraceReader.encode(0x3000, TraceReader.LOAD),    // never written
            TraceReader.encode(0x1000, TraceReader.STORE),                                                   // counted once
            TraceReader.encode(0x4000, TraceReader.INSTR),                                                   // not data
        };
        TraceStats s = TraceStats.of(PreparsedTrace.of("x", refs).reader());
        assertThat(s).isEqualTo(new TraceStats(7, 4, 2, 1, 1, 3, 1));
    }

    @Test
    void compareWithMeta_reportsEachMismatch() throws IOException {
        Path trace = dir.resolve("t.lackey");
        Files.writeString(trace, " L 1000,8\n S 1008,8\n S 2000,4\n");
        Path good = Files.writeString(dir.resolve("good.json"),
                "{\"name\": \"t\", \"data_references\": 3, \"distinct_pages\": 2, \"read_then_written_pages\": 1}");
        Path bad = Files.writeString(dir.resolve("bad.json"),
                "{\"references\": 3, \"distinct_pages\": 5}");
        assertThat(TraceStats.compareWithMeta(trace, good)).isEmpty();
        assertThat(TraceStats.compareWithMeta(trace, bad)).containsExactly(
                "distinct_pages: meta.json says 5, the trace has 2",
                "read_then_written_pages: missing from meta.json");
    }
}
