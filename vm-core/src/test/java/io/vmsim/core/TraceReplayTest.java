package io.vmsim.core;

import io.vmsim.core.mrc.MrcTrace;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.trace.PreparsedTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays prefixes of the real lackey traces and checks Linux's fault accounting against a
 * brute-force count made here with a regex: a page first read maps the zero page (one fault)
 * and faults again when first written; a page first written faults once.
 */
final class TraceReplayTest {
    private static final Pattern LINE = Pattern.compile("^\\s*([ILSM])\\s+([0-9a-fA-F]+),(\\d+)\\s*$");

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TraceReplayTest.class.getResource("/traces/" + name).toURI());
    }

    /** {distinct pages, pages first read then written, data references}, by brute force. */
    private static long[] bruteForce(Path xz) throws Exception {
        Map<Long, Boolean> firstWasRead = new HashMap<>();
        Set<Long> readThenWritten = new HashSet<>();
        long refs = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new XZInputStream(Files.newInputStream(xz)), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                Matcher m = LINE.matcher(line);
                if (!m.matches() || m.group(1).equals("I")) {
                    continue;
                }
                refs++;
                long page = Long.parseLong(m.group(2), 16) >>> 12;
                boolean write = !m.group(1).equals("L");
                Boolean first = firstWasRead.putIfAbsent(page, !write);
                if (first != null && first && write) {
                    readThenWritten.add(page);
                }
            }
        }
        return new long[] {firstWasRead.size(), readThenWritten.size(), refs};
    }

    private static RunResult replay(Path trace) throws Exception {
        Map<String, String> cfg = new HashMap<>(Simulation.TRACE_DEFAULTS);
        cfg.put("machine.memory", "256M");
        return Simulation.runTrace(new TestConfig(cfg), new TestCatalog(), trace, Progress.NONE);
    }

    @Test
    void sortPrefix_pgfaultIsDistinctPagesPlusPagesReadThenWritten() throws Exception {
        Path t = resource("sort-prefix.lackey.xz");
        long[] expect = bruteForce(t);
        RunResult r = replay(t);
        assertThat(r.refs()).isEqualTo(expect[2]);
        assertThat(r.counters().get("pgfault")).isEqualTo(expect[0] + expect[1]);
        assertThat(r.counters().get("vmsim_zero_page_maps") - r.counters().get("vmsim_cow_copies"))
                .as("pages read but never written keep the zero page").isGreaterThanOrEqualTo(0);
    }

    @Test
    void pythonPrefix_pgfaultIsDistinctPagesPlusPagesReadThenWritten() throws Exception {
        Path t = resource("python-prefix.lackey.xz");
        long[] expect = bruteForce(t);
        RunResult r = replay(t);
        assertThat(r.refs()).isEqualTo(expect[2]);
        assertThat(r.counters().get("pgfault")).isEqualTo(expect[0] + expect[1]);
    }

    @Test
    void lackeyReferencesBelowMmapMinAddr_countAsInMrc(@TempDir Path dir) throws Exception {
        // pages 8, 0 (twice: read, then written), 15 and 16; 0x10000 is vm.mmap_min_addr
        Path t = dir.resolve("low.lackey");
        Files.writeString(t, " L 00008000,4\n L 00000010,8\n S 00000ff8,4\n M 0000fffc,4\n S 00010000,8\n");
        RunResult r = replay(t);
        // by hand: 4 distinct pages; page 0 first read then written; pages 15 and 16 first written
        assertThat(r.refs()).isEqualTo(5);
        assertThat(r.counters().get("pgfault")).isEqualTo(4 + 1);
        MrcTrace mrc = MrcTrace.of(PreparsedTrace.load(t, "lackey", false));
        assertThat(mrc.refs()).isEqualTo(5);
        assertThat(mrc.distinctPages()).isEqualTo(4);
    }

    @Test
    void twoReplays_giveIdenticalResults() throws Exception {
        Path t = resource("sort-prefix.lackey.xz");
        RunResult a = replay(t);
        RunResult b = replay(t);
        assertThat(a).isEqualTo(b);
    }
}
