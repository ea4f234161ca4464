package io.vmsim.core;

import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.report.JsonWriter;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.report.TextReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Page-number and address traces replay as read()s of one file through the page cache; the
 * expected figures come from the trace itself, counted here (distinct pages, Belady's MIN).
 */
final class FileTraceReplayTest {
    @TempDir
    Path dir;

    private static Path cloudphysicsPrefix() throws Exception {
        return Path.of(FileTraceReplayTest.class.getResource("/traces/cloudphysics-prefix.pages.gz").toURI());
    }

    private static List<Long> pages(Path gz) throws Exception {
        List<Long> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)),
                StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    out.add(Long.parseLong(line.trim()));
                }
            }
        }
        return out;
    }

    private static RunResult replay(Path trace, String... kv) throws Exception {
        Map<String, String> cfg = new HashMap<>(Simulation.TRACE_DEFAULTS);
        for (int i = 0; i < kv.length; i += 2) {
            cfg.put(kv[i], kv[i + 1]);
        }
        return Simulation.runTrace(new TestConfig(cfg), new TestCatalog(), trace, Progress.NONE);
    }

    private Path trace(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void pageTrace_withAmpleMemoryAndNoReadahead_missesEachDistinctPageOnce() throws Exception {
        Path t = cloudphysicsPrefix();
        List<Long> refs = pages(t);
        long distinct = new HashSet<>(refs).size();
        long maxPage = refs.stream().mapToLong(Long::longValue).max().orElseThrow();
        RunResult r = replay(t, "machine.memory", "1G", "block.read_ahead_kb", "0");
        assertThat(r.refs()).isEqualTo(refs.size());
        assertThat(r.phases()).singleElement().satisfies(p -> assertThat(p.refs()).isEqualTo(refs.size()));
        RunResult.FileResult f = r.files().get(0);
        assertThat(r.files()).hasSize(1);
        assertThat(f.name()).isEqualTo("cloudphysics-prefix.pages.gz");
        assertThat(f.pages()).isEqualTo(maxPage + 1);
        assertThat(f.reads()).isEqualTo(refs.size());
        assertThat(f.writes()).isZero();
        assertThat(f.misses()).isEqualTo(distinct);
        assertThat(f.coldMisses()).isEqualTo(distinct);
        assertThat(f.hits()).isEqualTo(refs.size() - distinct);
        assertThat(f.resident()).isEqualTo(distinct);
        assertThat(r.counters().get("pgfault")).as("no page is mapped").isZero();
        assertThat(r.meminfo().get("AnonPages")).isZero();
        assertThat(r.meminfo().get("Cached")).isEqualTo(distinct * 4);
        assertThat(r.reclaimRan()).as("%d pages in 1 GiB", distinct).isFalse();
        assertThat(TextReport.render(r)).contains("reclaim never ran: memory (1,024 MiB) held the whole footprint");
    }

    @Test
    void pageTrace_onLessMemoryThanItsFootprint_reclaimsAndMissesMoreThanItsDistinctPages() throws Exception {
        Path t = cloudphysicsPrefix();
        List<Long> refs = pages(t);
        long distinct = new HashSet<>(refs).size();
        RunResult r = replay(t, "machine.memory", "32M", "block.read_ahead_kb", "0", "policy.reclaim", "exact-lru");
        RunResult.FileResult f = r.files().get(0);
        long frames = r.meminfo().get("MemTotal") / 4;
        assertThat(distinct).as("the footprint exceeds memory").isGreaterThan(frames);
        assertThat(f.reads()).isEqualTo(refs.size());
        assertThat(f.hits() + f.misses()).isEqualTo(refs.size());
        assertThat(f.misses()).isGreaterThanOrEqualTo(distinct).isLessThan(refs.size());
        assertThat(f.resident()).isLessThan(frames);
        assertThat(r.counters().get("pgsteal_kswapd") + r.counters().get("pgsteal_direct")).isPositive();
        assertThat(r.counters().get("workingset_refault_file")).isEqualTo(f.refaults());
        assertThat(r.reclaimRan()).isTrue();
        assertThat(TextReport.render(r)).doesNotContain("reclaim never ran");
    }

    @Test
    void cyclicPageTrace_largerThanMemory_missesEveryReferenceUnderLru() throws Exception {
        // LRU evicts the page used longest ago, which in a loop over more pages than memory holds
        // is always the next one wanted: every reference misses, however reclaim batches its work
        int n = 2 * (32 << 8);
        StringBuilder sb = new StringBuilder();
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < n; i++) {
                sb.append(i).append('\n');
            }
        }
        RunResult r = replay(trace("loop.pages", sb.toString()), "machine.memory", "32M", "block.read_ahead_kb", "0",
                "policy.reclaim", "exact-lru");
        RunResult.FileResult f = r.files().get(0);
        assertThat(r.refs()).isEqualTo(3L * n);
        assertThat(f.misses()).isEqualTo(3L * n);
        assertThat(f.hits()).isZero();
        assertThat(f.coldMisses()).isEqualTo(n);
        assertThat(f.refaults()).isPositive();
    }

    @Test
    void sequentialPageTrace_withLinuxReadahead_missesOnlyItsFirstPage() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4096; i++) {
            sb.append(i).append('\n');
        }
        // mm/readahead.c: the first miss reads a window and each window's marker starts the next
        // one before the reader gets there, so a sequential reader misses once
        RunResult r = replay(trace("seq.pages", sb.toString()), "machine.memory", "256M");
        RunResult.FileResult f = r.files().get(0);
        assertThat(f.misses()).isEqualTo(1);
        assertThat(f.hits()).isEqualTo(4095);
        assertThat(f.readahead()).isEqualTo(4095);
    }

    private Path sequential(int pages) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pages; i++) {
            sb.append(i).append('\n');
        }
        return trace("seq.pages", sb.toString());
    }

    @Test
    void aPolicyThatSeesEveryAccess_butCountsReadaheadPagesAsUsed_isWarnedOf() throws Exception {
        // exact-lru observes every access and keeps ReclaimPolicy's default pageAddedUnreferenced
        RunResult r = replay(sequential(4096), "machine.memory", "256M", "policy.reclaim", "exact-lru");
        RunResult.FileResult f = r.files().get(0);
        assertThat(f.readahead()).isEqualTo(4095);
        String warning = "policy exact-lru counted 4,095 pages that arrived unused (readahead, split, collapse) as used:"
                + " it does not override ReclaimPolicy.pageAddedUnreferenced";
        assertThat(r.warnings()).containsExactly(warning);
        assertThat(TextReport.render(r)).contains("\nwarning: " + warning + "\n");
        assertThat(JsonWriter.toJson(r)).contains("\"warnings\": [\n    \"" + warning + "\"\n  ],");
    }

    @Test
    void noWarning_whenThePolicyTellsUnusedPagesApart_learnsByScanning_orNoPageArrivedUnused() throws Exception {
        Path t = sequential(4096);
        // two-list overrides pageAddedUnreferenced; linux-2list (here a stand-in) does not observe accesses
        for (String policy : List.of("two-list", "linux-2list")) {
            RunResult r = replay(t, "machine.memory", "256M", "policy.reclaim", policy);
            assertThat(r.files().get(0).readahead()).as(policy).isEqualTo(4095);
            assertThat(r.warnings()).as(policy).isEmpty();
        }
        RunResult noReadahead = replay(t, "machine.memory", "256M", "policy.reclaim", "exact-lru", "block.read_ahead_kb", "0");
        assertThat(noReadahead.files().get(0).readahead()).isZero();
        assertThat(noReadahead.warnings()).isEmpty();
        assertThat(TextReport.render(noReadahead)).doesNotContain("warning:");
    }

    @Test
    void addressTrace_readsPageAddressOver4096_andReadsThePagesItsWritesName() throws Exception {
        Path t = trace("a.addr", "0x1000\n0x1fff,W\n0x2000\n8192 w\n0x10\n");
        RunResult r = replay(t, "trace.format", "addresses", "machine.memory", "256M", "block.read_ahead_kb", "0");
        RunResult.FileResult f = r.files().get(0);
        assertThat(r.refs()).isEqualTo(5);
        assertThat(f.pages()).isEqualTo(3);
        assertThat(f.reads()).isEqualTo(5);
        assertThat(f.writes()).isZero();
        assertThat(f.misses()).as("pages 1, 2 and 0").isEqualTo(3);
        assertThat(f.hits()).isEqualTo(2);
        assertThat(r.counters().get("nr_dirty")).isZero();
    }

    @Test
    void pagesBelowMmapMinAddr_areOrdinaryFilePages() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 15; i >= 0; i--) {
                sb.append(i).append('\n');
            }
        }
        RunResult r = replay(trace("low.pages", sb.toString()), "machine.memory", "256M", "block.read_ahead_kb", "0");
        RunResult.FileResult f = r.files().get(0);
        assertThat(f.misses()).isEqualTo(16);
        assertThat(f.hits()).isEqualTo(16);
    }

    @Test
    void largestPageOf31Bits_isRead_andOneBeyond_isRejectedNamingFileReferenceAndPage() throws Exception {
        RunResult r = replay(trace("top.pages", "2147483646\n"), "machine.memory", "256M");
        assertThat(r.files().get(0).pages()).isEqualTo(Integer.MAX_VALUE);
        assertThat(r.files().get(0).misses()).isEqualTo(1);

        Path bad = trace("beyond.pages", "5\n# a comment\n2147483647\n");
        assertThatThrownBy(() -> replay(bad, "machine.memory", "256M"))
                .isInstanceOf(WorkloadException.class)
                .hasMessageStartingWith(bad + ": reference 2: page 2147483647 is beyond the largest page");
    }

    @Test
    void twoReplays_giveIdenticalResults() throws Exception {
        Path t = cloudphysicsPrefix();
        RunResult a = replay(t, "machine.memory", "32M", "policy.reclaim", "second-chance");
        RunResult b = replay(t, "machine.memory", "32M", "policy.reclaim", "second-chance");
        assertThat(a).isEqualTo(b);
        assertThat(a.files().get(0).misses()).isPositive();
    }
}
