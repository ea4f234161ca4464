package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** read(), write(), readahead, dirty throttling and file mappings through the page cache. */
final class PageCacheTest {
    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "64M", "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    private static long cached(PageCache pc, int file, long pages) {
        long n = 0;
        for (long i = 0; i < pages; i++) {
            n += pc.lookup(file, i) >= 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void withoutReadahead_aFirstPassMissesEveryPage_andASecondHitsEvery() {
        Machine m = machine("block.read_ahead_kb", "0");
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("data", 1 << 20);
        SimProcess p = m.spawn("r", List.of(0));
        for (int pass = 0; pass < 2; pass++) {
            for (long i = 0; i < 256; i++) {
                pc.read(p.mm(), 0, f, i);
            }
        }
        assertThat(pc.file(f).misses).isEqualTo(256);
        assertThat(pc.file(f).coldMisses).isEqualTo(256);
        assertThat(pc.file(f).hits).isEqualTo(256);
        assertThat(m.vmstat().get("pgpgin")).isEqualTo(256 * 4);
        assertThat(m.meminfo().get("Cached")).isEqualTo(1024);
        assertThat(m.vmstat().get("nr_file_pages")).isEqualTo(256);
    }

    /**
     * Linux's two steps of folio_mark_accessed() as the kernel recorded them
     * (conformance/flags/pagecache-marks.json, Linux 6.18, /proc/kpageflags): a read() miss leaves
     * one mark (with the measuring fault's mark it is active), a second read() activates, and a
     * full-page write() miss leaves none (with the fault's mark it is only referenced).
     */
    @Test
    void readAndWrite_markPagesAsTheKernelRecorded() {
        Machine m = machine("block.read_ahead_kb", "0", "policy.reclaim", "linux-2list");
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        io.vmsim.core.alloc.PageFrames frames = m.kernel().frames;
        int f = pc.createFile("data", 4 * 4096);
        SimProcess p = m.spawn("r", List.of(0));
        pc.read(p.mm(), 0, f, 0);
        int once = pc.lookup(f, 0);
        assertThat(frames.test(once, io.vmsim.core.alloc.PageFrames.PG_REFERENCED)).as("read once: referenced").isTrue();
        assertThat(frames.test(once, io.vmsim.core.alloc.PageFrames.PG_YOUNG)).as("read once: not activated").isFalse();
        pc.read(p.mm(), 0, f, 1);
        pc.read(p.mm(), 0, f, 1);
        assertThat(frames.test(pc.lookup(f, 1), io.vmsim.core.alloc.PageFrames.PG_YOUNG)).as("read twice: activated").isTrue();
        pc.write(p.mm(), 0, f, 2);
        int written = pc.lookup(f, 2);
        assertThat(frames.test(written, io.vmsim.core.alloc.PageFrames.PG_REFERENCED | io.vmsim.core.alloc.PageFrames.PG_YOUNG))
                .as("write miss: unmarked").isFalse();
    }

    /**
     * How the policy hears of a page a miss brought in, by the path (ReclaimPolicy's contract):
     * a read() miss through pageAdded, a whole-page write() miss of a disk file through
     * pageAddedByWrite (Linux marks nothing there: conformance/flags/pagecache-marks.json), a
     * write() miss of a tmpfs file through pageAdded (marked like a read miss:
     * conformance/flags/pagecache-marks-tmpfs.json).
     */
    @Test
    void writeMissOfADiskFile_isReportedAsAWrite_readAndTmpfsMissesAsUses() {
        Machine m = machine("block.read_ahead_kb", "0", "policy.reclaim", "linux-2list");
        TestCatalog.TrackingReclaim policy = TestCatalog.lastReclaim;
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("data", 4 * 4096);
        int shm = pc.createShmemFile("shm", 4 * 4096);
        SimProcess p = m.spawn("rw", List.of(0));
        pc.read(p.mm(), 0, f, 0);
        pc.write(p.mm(), 0, f, 1);
        pc.write(p.mm(), 0, shm, 0);
        assertThat(policy.tracked.get(pc.lookup(f, 0))).isTrue();
        assertThat(policy.addedByWrite.get(pc.lookup(f, 0))).as("read miss").isFalse();
        assertThat(policy.addedByWrite.get(pc.lookup(f, 1))).as("write miss, disk file").isTrue();
        assertThat(policy.tracked.get(pc.lookup(shm, 0))).isTrue();
        assertThat(policy.addedByWrite.get(pc.lookup(shm, 0))).as("write miss, tmpfs").isFalse();
    }

    @Test
    void residentCountOfEachFile_equalsItsCachedSlots_throughEvictions() {
        Machine m = machine("block.read_ahead_kb", "128");
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int big = pc.createFile("big", 96L << 20);
        int small = pc.createFile("small", 4L << 20);
        SimProcess p = m.spawn("r", List.of(0));
        for (long i = 0; i < (96 << 8); i++) {
            pc.read(p.mm(), 0, big, i);
            if (i % 64 == 0) {
                pc.read(p.mm(), 0, small, (i / 64) % 1024);
            }
        }
        assertThat(m.vmstat().get("pgsteal_kswapd") + m.vmstat().get("pgsteal_direct"))
                .as("96 MiB read through 64 MiB evicts").isPositive();
        assertThat(pc.file(big).resident).isEqualTo(cached(pc, big, 96 << 8));
        assertThat(pc.file(small).resident).isEqualTo(cached(pc, small, 1024));
        assertThat(pc.file(big).resident + pc.file(small).resident).isEqualTo(pc.nrFilePages());
        Reclaim.of(m.kernel()).verify();
    }

    @Test
    void sequentialReads_growTheReadaheadWindow_4Then8Then16UpToReadAheadKb() {
        Machine m = machine("block.read_ahead_kb", "128");
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("data", 4 << 20);
        SimProcess p = m.spawn("r", List.of(0));
        // mm/readahead.c with ra_pages = 32: get_init_ra_size(1, 32) = 4 pages, async part 3, so the
        // marker is page 1; get_next_ra_size(): 4 < 32/16 fails, 4 <= 16 gives 8, then 16, then 32
        pc.read(p.mm(), 0, f, 0);
        pc.read(p.mm(), 0, f, 1);
        assertThat(cached(pc, f, 1024)).isEqualTo(4 + 8);
        for (long i = 2; i <= 4; i++) {
            pc.read(p.mm(), 0, f, i);
        }
        assertThat(cached(pc, f, 1024)).isEqualTo(4 + 8 + 16);
        for (long i = 5; i <= 12; i++) {
            pc.read(p.mm(), 0, f, i);
        }
        assertThat(cached(pc, f, 1024)).isEqualTo(4 + 8 + 16 + 32);
        for (long i = 13; i < 1024; i++) {
            pc.read(p.mm(), 0, f, i);
        }
        assertThat(pc.file(f).misses).isEqualTo(1);
        assertThat(pc.file(f).hits).isEqualTo(1023);
        assertThat(pc.file(f).readahead).isEqualTo(1023);
    }

    @Test
    void randomFile_orNonSequentialMisses_readOnePageEach() {
        Machine m = machine();
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("data", 4 << 20);
        SimProcess p = m.spawn("r", List.of(0));
        for (long i = 1000; i > 0; i -= 7) {
            pc.read(p.mm(), 0, f, i);
        }
        assertThat(pc.file(f).readahead).isZero();
        assertThat(cached(pc, f, 1024)).isEqualTo(pc.file(f).misses);
        pc.file(f).random = true;
        pc.read(p.mm(), 0, f, 0);
        pc.read(p.mm(), 0, f, 1);
        assertThat(pc.file(f).readahead).isZero();
    }

    @Test
    void writes_areThrottledAtDirtyRatio_andWrittenBackInTheBackground() {
        Machine m = machine("vm.dirty_ratio", "20", "vm.dirty_background_ratio", "10");
        Reclaim r = Reclaim.of(m.kernel());
        PageCache pc = r.pageCache();
        int f = pc.createFile("log", 32 << 20);
        SimProcess p = m.spawn("w", List.of(0));
        // no tick: the flusher never runs, so the writer meets dirty_ratio and writes back itself
        for (long i = 0; i < 8192; i++) {
            pc.write(p.mm(), 0, f, i);
            // balance_dirty_pages(): never above dirty_ratio of (free + page cache) when write() returns
            long dirtyable = m.kernel().allocator.freePages() + pc.nrFilePages();
            assertThat(pc.nrDirty() + pc.nrWriteback()).isLessThanOrEqualTo(dirtyable * 20 / 100);
        }
        assertThat(m.vmstat().get("vmsim_dirty_throttled")).isPositive();
        assertThat(m.vmstat().get("nr_dirtied")).isEqualTo(8192);
        long written = m.vmstat().get("nr_written");
        assertThat(written).isPositive();
        long dirtyable = m.kernel().allocator.freePages() + pc.nrFilePages();
        assertThat(pc.nrDirty()).isGreaterThan(dirtyable * 10 / 100);
        // above dirty_background_ratio the flusher was woken: it writes back in the background
        m.tick();
        assertThat(m.vmstat().get("nr_written")).isGreaterThan(written);
        assertThat(pc.nrWriteback()).isPositive();
        // the periodic flush (vm.dirty_writeback_centisecs) writes back everything that is left
        m.kernel().clock.advance(10_000_000_000_000L);
        m.tick();
        m.kernel().clock.advance(10_000_000_000_000L);
        m.tick();
        assertThat(pc.nrDirty()).isZero();
        assertThat(pc.nrWriteback()).isZero();
        assertThat(m.vmstat().get("nr_written")).isEqualTo(8192);
        assertThat(m.vmstat().get("pgpgout")).isEqualTo(8192 * 4);
        r.verify();
    }

    @Test
    void fileMappings_majorFaultOnMiss_minorOnHit_sharedWritesDirty_privateWritesCopy() {
        Machine m = machine("block.read_ahead_kb", "0");
        Reclaim r = Reclaim.of(m.kernel());
        PageCache pc = r.pageCache();
        int f = pc.createFile("lib", 1 << 20);
        SimProcess a = m.spawn("a", List.of(0));
        SimProcess b = m.spawn("b", List.of(0));
        Task ta = a.threads().get(0);
        Task tb = b.threads().get(0);
        long va = m.syscalls().mmapFile(a.mm(), 0, 1 << 20, "rw", true, f, 0);
        long vb = m.syscalls().mmapFile(b.mm(), 0, 1 << 20, "rw", false, f, 0);
        for (long off = 0; off < 1 << 20; off += 4096) {
            m.access(ta, va + off, false);
        }
        assertThat(m.vmstat().get("pgmajfault")).isEqualTo(256);
        for (long off = 0; off < 1 << 20; off += 4096) {
            m.access(tb, vb + off, false);
        }
        assertThat(m.vmstat().get("pgmajfault")).isEqualTo(256);
        assertThat(a.mm().rssFile).isEqualTo(256);
        assertThat(b.mm().rssFile).isEqualTo(256);
        assertThat(m.meminfo().get("Mapped")).isEqualTo(1024);
        // b's private writes copy; a's shared writes dirty the cache
        for (long off = 0; off < 64 * 4096; off += 4096) {
            m.access(tb, vb + off, true);
            m.access(ta, va + off, true);
        }
        assertThat(b.mm().rssFile).isEqualTo(192);
        assertThat(b.mm().rssAnon).isEqualTo(64);
        assertThat(pc.nrDirty() + pc.nrWriteback() + m.vmstat().get("nr_written")).isEqualTo(64);
        m.syscalls().exit(b.mm(), 0);
        m.syscalls().exit(a.mm(), 0);
        assertThat(m.meminfo().get("Mapped")).isZero();
        assertThat(m.meminfo().get("AnonPages")).isZero();
        assertThat(pc.nrFilePages()).isEqualTo(256);
        r.verify();
    }

    @Test
    void mappedFilePages_areUnmappedThroughTheRmapAndEvicted_thenRefaultWithTheirShadow() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        PageCache pc = r.pageCache();
        int f = pc.createFile("big", 96 << 20);
        SimProcess a = m.spawn("a", List.of(0));
        Task t = a.threads().get(0);
        long va = m.syscalls().mmapFile(a.mm(), 0, 96 << 20, "r", false, f, 0);
        for (int pass = 0; pass < 2; pass++) {
            for (long off = 0; off < 96 << 20; off += 4096) {
                m.access(t, va + off, false);
            }
        }
        assertThat(m.vmstat().get("pgsteal_kswapd") + m.vmstat().get("pgsteal_direct")).isPositive();
        assertThat(a.mm().rssFile).isEqualTo(pc.nrFilePages());
        assertThat(m.vmstat().get("workingset_refault_file")).isPositive();
        ReclaimTestPolicies.Recording policy = TestCatalog.lastRecording;
        for (long[] rf : policy.refaults) {
            assertThat(policy.shadowToKey).containsEntry(rf[1], rf[0]);
        }
        m.kernel().allocator.verify();
        r.verify();
    }
}
