package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page-cache write ends when the device finishes it: {@code folio_end_writeback()} runs from
 * the bio's completion (interrupt context; Linux 6.18 {@code end_buffer_async_write()},
 * fs/buffer.c), not from the flusher thread, and rotates a page reclaim marked PG_reclaim to the
 * inactive tail ({@code folio_rotate_reclaimable()}). So when a memory cgroup's reclaim runs after
 * the flusher's writes are done, it finds them done, whether or not any kernel thread ran in
 * between: conformance/writeback/memcg-page-cache-writeback.run*.json recorded
 * {@code cg_writeback} 0 and the active file list at 0-3 pages between flushes. No daemon runs
 * here (nothing calls {@code Machine.tick()}, as in a conformance replay).
 */
final class PageCacheWritebackCompletionTest {
    private static final long MIB = 1L << 20;

    @Test
    void reclaimAfterTheWritesCompleted_findsThemCompleted_andTheMarkedPagesRotated_withoutAnyDaemonRunning() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "128M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru", "vm.overcommit_memory", "1",
                "vmsim.debug_checks", "true"), new TestCatalog());
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("writer", 8 * MIB, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        PageCache pc = r.pageCache();
        int f = pc.createFile("data", 32 * MIB);
        SimProcess p = m.spawn("writer", List.of(0));
        p.mm().memcg = id;
        long i = 0;
        // every page of the group is dirty when it reaches its limit: its reclaim marks the pages
        // it meets PG_reclaim and wakes the flusher, which puts every dirty page under writeback
        while (m.vmstat().get("nr_vmscan_immediate_reclaim") == 0) {
            pc.write(p.mm(), 0, f, i++);
        }
        assertThat(pc.nrWriteback()).as("pages under writeback after the flusher was woken").isPositive();
        long marked = 0;
        PageFrames frames = m.kernel().frames;
        for (int pfn = 0; pfn < frames.nrFrames(); pfn++) {
            if (frames.sectionPresent(pfn) && (frames.flags(pfn) & (PageFrames.PG_WRITEBACK | PageFrames.PG_RECLAIM))
                    == (PageFrames.PG_WRITEBACK | PageFrames.PG_RECLAIM)) {
                marked++;
            }
        }
        assertThat(marked).as("marked pages still under writeback").isPositive();
        long rotatedBefore = m.vmstat().get("pgrotated");
        // a second later every write has completed on the device
        m.kernel().clock.advance(1_000_000_000_000L);
        long stolen = cg.pgsteal;
        while (cg.pgsteal == stolen) {
            pc.write(p.mm(), 0, f, i++);
        }
        // the reclaim that followed saw every completion: nothing is under writeback, and each
        // page marked PG_reclaim was rotated (none was waited for: the writes were done)
        assertThat(pc.nrWriteback()).as("pages still under writeback a second after the flush").isZero();
        assertThat(m.vmstat().get("pgrotated") - rotatedBefore).as("marked pages rotated").isEqualTo(marked);
        r.verify();
        m.debugChecks().check("test");
    }
}
