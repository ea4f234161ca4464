package io.vmsim.cli;

import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.Machine;
import io.vmsim.core.SimProcess;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.conformance.ConformanceRunner;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workload of {@code memcg-page-cache-reclaim} (a task in a cgroup v1 memory group limited to
 * 32 MiB writes a 64 MiB ext4 file a page at a time), replayed as the conformance runner replays
 * it (linux-2list, {@code cost.write_page_ns} 7700, no daemon ticking), against what
 * {@code conformance/writeback/memcg-page-cache-writeback.c} recorded of the group's
 * {@code memory.stat} every 512 pages on Linux 6.18.44 (four runs, {@code .run1.json} to
 * {@code .run4.json}): between flushes, with nothing of the group under writeback, its active
 * file list holds 0-3 pages (13 once, as a second flush began). The pages reclaim activated while they were dirty or under writeback
 * carry PG_reclaim, and {@code folio_end_writeback()} moves each to the inactive tail when its
 * write completes ({@code folio_rotate_reclaimable()}, {@code lru_move_tail()} clears PG_active).
 * Every page left active is one the group's reclaim cannot take at priorities 12 to 8
 * (inactive_file &gt;&gt; priority): with the 255 vmsim used to leave there the inactive list fell
 * below 7680 pages, where priority 8 scans 29 pages rather than 30, a reclaim freed fewer than
 * Linux's 56, and the group's usage and {@code failcnt} drifted from the kernel's.
 */
final class PageCacheWritebackLruTest {
    private static final Path DIR = Path.of("..", "conformance", "writeback");
    private static final int PAGES = 16384;
    private static final int EVERY = 512;

    @Test
    void betweenFlushes_theGroupsActiveFileList_staysAsSmallAsTheKernels() throws Exception {
        // the kernel's: the largest active_file at a sample after the first flush (page 8704 on)
        // with nothing of the group under writeback
        long kernelMax = -1;
        int kernelSamples = 0;
        for (int run = 1; run <= 4; run++) {
            Map<String, Object> rec = ConformanceRunner.parse(Files.readString(DIR.resolve("memcg-page-cache-writeback.run" + run + ".json")));
            for (Object o : (List<?>) rec.get("samples")) {
                Map<?, ?> s = (Map<?, ?>) o;
                long page = ((Number) s.get("page")).longValue();
                if (page >= 8704 && ((Number) s.get("cg_writeback")).longValue() == 0) {
                    kernelMax = Math.max(kernelMax, ((Number) s.get("cg_active_file")).longValue());
                    kernelSamples++;
                }
            }
        }
        assertThat(kernelSamples).as("kernel samples between flushes").isGreaterThanOrEqualTo(40);
        // 0-3 pages, and 13 once (run 4, page 15872: dirty pages just marked, the second flush about to start)
        assertThat(kernelMax).as("the kernel's active file pages between flushes").isBetween(0L, 13L);

        PolicyRegistry catalog = PolicyRegistry.builtIn();
        // the conformance runner's machine for this case (ConformanceRunner.machine())
        Machine m = Machine.create(new ConfigLoader(catalog)
                .set(CoreKeys.MEMORY, Long.toString(ConformanceRunner.MEMORY))
                .set(CoreKeys.SWAP_SIZE, "0")
                .set(CoreKeys.COST_WRITE_PAGE, "7700")
                .set(CoreKeys.ZERO_PAGE, "false")
                .set(CoreKeys.THP_ENABLED, "madvise")
                .load(), catalog);
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", 32L << 20, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        PageCache pc = r.pageCache();
        int f = pc.createFile("f", (long) PAGES << 12);
        SimProcess p = m.spawn("writer", List.of(0));
        p.mm().memcg = id;
        List<String> over = new ArrayList<>();
        int quiet = 0;
        for (int i = 0; i < PAGES; i++) {
            pc.write(p.mm(), 0, f, i);
            int page = i + 1;
            if (page % EVERY == 0 && page >= 8704 && pc.nrWriteback() == 0) {
                quiet++;
                ReclaimPolicy lists = r.lruDomains().ofCgroup(id).get(0); // the group's lists on node 0
                long active = lists.activePages(false);
                if (active > kernelMax) {
                    over.add("page " + page + ": " + active + " active file pages");
                }
            }
        }
        assertThat(cg.eventsOomKill).isZero();
        assertThat(quiet).as("vmsim samples between flushes").isGreaterThanOrEqualTo(8);
        assertThat(over).as("samples with more active file pages than the kernel's %d", kernelMax).isEmpty();
    }
}
