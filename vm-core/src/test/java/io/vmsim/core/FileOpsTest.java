package io.vmsim.core;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.filemap.Fadvise;
import io.vmsim.core.filemap.Msync;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.filemap.Truncate;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.memcg.MemcgStock;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.SyscallError;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.oom.OomKilledException;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.PhaseOp;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.ScenarioException;
import io.vmsim.core.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * posix_fadvise(), ftruncate(), msync()/fsync(), read-only descriptors and the memory cgroup
 * counters of a charge that fails. Expected figures come from the kernel's rules (mm/fadvise.c,
 * mm/truncate.c, mm/msync.c, mm/mmap.c, mm/memcontrol.c of Linux 6.18, cited at each test) and
 * the recorded cases of conformance/expected.
 */
final class FileOpsTest {
    private static final long PAGE = 4096;

    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "64M", "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru",
                "block.read_ahead_kb", "0", "vmsim.debug_checks", "true"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    private static PageCache cache(Machine m) {
        return Reclaim.of(m.kernel()).pageCache();
    }

    private static long cached(PageCache pc, int file) {
        long n = 0;
        for (long i = 0; i < pc.file(file).sizePages; i++) {
            n += pc.lookup(file, i) >= 0 ? 1 : 0;
        }
        return n;
    }

    /** A file of {@code pages} pages written whole and fsync'ed, as the probes' disk files are. */
    private static int cleanFile(Machine m, SimProcess p, long pages) {
        PageCache pc = cache(m);
        int f = pc.createFile("f", pages * PAGE);
        for (long i = 0; i < pages; i++) {
            pc.write(p.mm(), 0, f, i);
        }
        new Msync(m.kernel(), pc).fsync(f);
        return f;
    }

    private static void touch(Machine m, SimProcess p, long start, long pages, boolean write) {
        Task t = p.threads().get(0);
        for (long i = 0; i < pages; i++) {
            m.access(t, start + i * PAGE, write);
        }
    }

    private static long stat(Machine m, String key) {
        return m.vmstat().get(key);
    }

    private static void check(Machine m) {
        m.debugChecks().check("test");
    }

    // ---------------------------------------------------------------- posix_fadvise

    /**
     * mm/fadvise.c POSIX_FADV_DONTNEED invalidates the first to the last FULL page of the range
     * (offset 1 rounds up to page 1; an end inside page 8 that is not the file's last byte stops
     * at page 7), and mapping_evict_folio() keeps mapped pages: of pages 1..7, the three mapped
     * ones stay, 4..7 go; page 0 and 8..15 are outside.
     */
    @Test
    void dontneed_dropsTheWholeCleanUnmappedPagesOfTheRange_keepsMappedOnesAndPartialEdges() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        int f = cleanFile(m, p, 16);
        long a = m.syscalls().mmapFile(p.mm(), 0, 4 * PAGE, "r", true, f, 0);
        touch(m, p, a, 4, false);
        long dropped = new Fadvise(m.kernel(), cache(m)).fadvise(p.mm(), 0, f, 1, 8 * PAGE, "dontneed");
        assertThat(dropped).isEqualTo(4);
        PageCache pc = cache(m);
        for (long i = 0; i < 16; i++) {
            assertThat(pc.lookup(f, i) >= 0).as("page " + i).isEqualTo(i < 4 || i >= 8);
        }
        assertThat(stat(m, "nr_file_pages")).isEqualTo(12);
        check(m);
    }

    /** len 0 is "to the end of the file" (generic_fadvise(): endbyte = LLONG_MAX): the recorded file-read-page-cache drops all 64 pages. */
    @Test
    void dontneed_withLengthZero_dropsTheWholeFile() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        int f = cleanFile(m, p, 64);
        assertThat(cached(cache(m), f)).isEqualTo(64);
        new Fadvise(m.kernel(), cache(m)).fadvise(p.mm(), 0, f, 0, 0, "dontneed");
        assertThat(cached(cache(m), f)).isZero();
        assertThat(cache(m).file(f).resident).isZero();
        check(m);
    }

    /**
     * DONTNEED first starts writeback with WB_SYNC_NONE and does not wait, and
     * mapping_evict_folio() refuses a folio under writeback: dirty pages survive the call (now
     * under writeback, each written once) and go on a later call once written.
     */
    @Test
    void dontneed_ofDirtyPages_writesThemBack_andDropsThemOnlyOnceTheWriteCompleted() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        PageCache pc = cache(m);
        int f = pc.createFile("f", 8 * PAGE);
        for (long i = 0; i < 8; i++) {
            pc.write(p.mm(), 0, f, i);
        }
        long written = stat(m, "nr_written");
        Fadvise fa = new Fadvise(m.kernel(), pc);
        assertThat(fa.fadvise(p.mm(), 0, f, 0, 0, "dontneed")).isZero();
        assertThat(cached(pc, f)).isEqualTo(8);
        assertThat(stat(m, "nr_written") - written).isEqualTo(8);
        assertThat(stat(m, "nr_dirty")).isZero();
        assertThat(stat(m, "nr_writeback")).isEqualTo(8);
        check(m);
        m.kernel().clock.advance(1_000_000_000_000L); // a second: the request completes
        m.tick();
        assertThat(stat(m, "nr_writeback")).isZero();
        assertThat(fa.fadvise(p.mm(), 0, f, 0, 0, "dontneed")).isEqualTo(8);
        assertThat(cached(pc, f)).isZero();
        assertThat(stat(m, "nr_written") - written).as("written once").isEqualTo(8);
        check(m);
    }

    /**
     * WILLNEED is force_page_cache_ra(): at most max(io_pages, ra_pages) pages, here
     * read_ahead_kb 128 / 4 = 32; after SEQUENTIAL the window is 2 x bdi->ra_pages = 64.
     */
    @Test
    void willneed_readsUpToTheReadaheadWindow_whichSequentialDoubles() {
        Machine m = machine("block.read_ahead_kb", "128");
        SimProcess p = m.spawn("p", List.of(0));
        PageCache pc = cache(m);
        int f = pc.createFile("f", 256 * PAGE);
        Fadvise fa = new Fadvise(m.kernel(), pc);
        long pgpgin = stat(m, "pgpgin");
        assertThat(fa.fadvise(p.mm(), 0, f, 0, 0, "willneed")).isEqualTo(32);
        assertThat(cached(pc, f)).isEqualTo(32);
        assertThat(stat(m, "pgpgin") - pgpgin).isEqualTo(32 * 4);
        fa.fadvise(p.mm(), 0, f, 0, 0, "sequential");
        assertThat(fa.fadvise(p.mm(), 0, f, 0, 0, "willneed")).as("pages 32..63 of a 64-page request").isEqualTo(32);
        assertThat(cached(pc, f)).isEqualTo(64);
        assertThat(fa.fadvise(p.mm(), 0, f, 100 * PAGE, 3 * PAGE + 1, "willneed"))
                .as("first and last PARTIAL page: 100..103").isEqualTo(4);
        check(m);
    }

    /** FMODE_RANDOM: a miss reads only its page (no readahead); NORMAL brings the 4-page first window back. */
    @Test
    void random_turnsReadaheadOff_andNormalTurnsItBackOn() {
        Machine m = machine("block.read_ahead_kb", "128");
        SimProcess p = m.spawn("p", List.of(0));
        PageCache pc = cache(m);
        int f = pc.createFile("f", 64 * PAGE);
        Fadvise fa = new Fadvise(m.kernel(), pc);
        fa.fadvise(p.mm(), 0, f, 0, 0, "random");
        pc.read(p.mm(), 0, f, 0);
        assertThat(cached(pc, f)).isEqualTo(1);
        fa.fadvise(p.mm(), 0, f, 0, 0, "normal");
        pc.read(p.mm(), 0, f, 1);
        assertThat(cached(pc, f)).as("get_init_ra_size(): 4 pages from page 1").isEqualTo(5);
        assertThatThrownBy(() -> fa.fadvise(p.mm(), 0, f, 0, 0, "noreuse")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fa.fadvise(p.mm(), 0, f, 0, -1, "dontneed")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- ftruncate

    /**
     * truncate_pagecache(): unmap_mapping_range(holebegin, 0, even_cows=1) zaps every mapping
     * past the new end, private copies too, then the pages leave the cache; a later access
     * there is SIGBUS (filemap_fault() past i_size). 4097 bytes keep pages 0 and 1 (the
     * partial one); the recorded file-truncate-sigbus keeps 1 of 4 and its access to page 2 is
     * SIGBUS.
     */
    @Test
    void shrinking_unmapsEveryMappingPrivateCopiesIncluded_dropsThePages_andLaterAccessesAreSigbus() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        SimProcess q = m.spawn("q", List.of(0));
        int f = cleanFile(m, p, 4);
        long s = m.syscalls().mmapFile(p.mm(), 0, 4 * PAGE, "r", true, f, 0);
        long c = m.syscalls().mmapFile(q.mm(), 0, 4 * PAGE, "rw", false, f, 0);
        touch(m, p, s, 4, false);
        touch(m, q, c, 4, false);
        touch(m, q, c + 2 * PAGE, 1, true); // a private copy of page 2
        assertThat(q.mm().rssAnon).isEqualTo(1);
        new Truncate(m.kernel(), cache(m)).truncate(f, PAGE + 1, 0);
        assertThat(cache(m).file(f).sizePages).isEqualTo(2);
        assertThat(cached(cache(m), f)).isEqualTo(2);
        assertThat(cache(m).lookup(f, 2)).isNegative();
        assertThat(p.mm().rssFile).isEqualTo(2);
        assertThat(q.mm().rssFile).isEqualTo(2);
        assertThat(q.mm().rssAnon).as("even_cows").isZero();
        check(m);
        touch(m, p, s + PAGE, 1, false);
        assertThatThrownBy(() -> touch(m, p, s + 2 * PAGE, 1, false)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("beyond the end");
        assertThatThrownBy(() -> touch(m, q, c + 3 * PAGE, 1, true)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("beyond the end");
        check(m);
    }

    /** truncate_inode_pages() drops dirty pages without writing them (folio_cancel_dirty()) and uncharges them. */
    @Test
    void shrinkingToZero_dropsDirtyPagesUnwritten_andUnchargesTheirGroup() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", Long.MAX_VALUE, Long.MAX_VALUE);
        SimProcess p = m.spawn("p", List.of(0));
        p.mm().memcg = id;
        PageCache pc = cache(m);
        int f = pc.createFile("f", 16 * PAGE);
        for (long i = 0; i < 16; i++) {
            pc.write(p.mm(), 0, f, i);
        }
        MemCgroup cg = r.lruDomains().cgroup(id);
        // try_charge_memcg() charged one MEMCG_CHARGE_BATCH and keeps the other 48 in the CPU's stock
        assertThat(cg.file).isEqualTo(16);
        assertThat(cg.current).isEqualTo(MemcgStock.MEMCG_CHARGE_BATCH);
        long written = stat(m, "nr_written");
        new Truncate(m.kernel(), pc).truncate(f, 0, 0);
        assertThat(stat(m, "nr_dirty")).isZero();
        assertThat(stat(m, "nr_file_pages")).isZero();
        assertThat(stat(m, "nr_written")).isEqualTo(written);
        assertThat(cg.file).isZero();
        assertThat(cg.current).isEqualTo(MemcgStock.MEMCG_CHARGE_BATCH - 16); // the stock alone
        check(m);
    }

    /** Growing sets i_size only: the new pages are holes a read brings in. */
    @Test
    void growing_makesThePagesPastTheOldEndReadable() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        PageCache pc = cache(m);
        int f = pc.createFile("f", 2 * PAGE);
        assertThatThrownBy(() -> pc.read(p.mm(), 0, f, 5)).isInstanceOf(WorkloadException.class);
        new Truncate(m.kernel(), pc).truncate(f, 8 * PAGE, 0);
        pc.read(p.mm(), 0, f, 5);
        assertThat(pc.lookup(f, 5)).isNotNegative();
        assertThatThrownBy(() -> new Truncate(m.kernel(), pc).truncate(f, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        check(m);
    }

    // ---------------------------------------------------------------- msync, fsync

    /**
     * msync(MS_SYNC) = vfs_fsync_range() of the mapped range: folio_clear_dirty_for_io() cleans and
     * write-protects the shared PTEs, so the next store faults again; recorded in
     * shared-file-write-msync: 16 written pages become clean (Private_Dirty 64 -> 0 kB) and the
     * next 16 stores take 16 minor faults.
     */
    @Test
    void msyncSync_writesTheDirtyPagesBack_andTheNextStoresFaultAgain() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        int f = cleanFile(m, p, 16);
        long a = m.syscalls().mmapFile(p.mm(), 0, 16 * PAGE, "rw", true, f, 0);
        touch(m, p, a, 16, true);
        assertThat(stat(m, "nr_dirty")).isEqualTo(16);
        long written = stat(m, "nr_written");
        long pgpgout = stat(m, "pgpgout");
        Msync ms = new Msync(m.kernel(), cache(m));
        ms.msync(p.mm(), a, 16 * PAGE, "async");
        assertThat(stat(m, "nr_dirty")).as("MS_ASYNC starts nothing").isEqualTo(16);
        assertThat(ms.msync(p.mm(), a, 16 * PAGE, "sync")).isEqualTo(16);
        assertThat(stat(m, "nr_dirty")).isZero();
        assertThat(stat(m, "nr_writeback")).as("MS_SYNC waited").isZero();
        assertThat(stat(m, "nr_written") - written).isEqualTo(16);
        assertThat(stat(m, "pgpgout") - pgpgout).isEqualTo(16 * 4);
        check(m);
        long faults = stat(m, "pgfault");
        touch(m, p, a, 16, true);
        assertThat(stat(m, "pgfault") - faults).isEqualTo(16);
        assertThat(stat(m, "nr_dirty")).isEqualTo(16);
        assertThat(ms.msync(p.mm(), a + 4 * PAGE, 2 * PAGE, "sync")).as("only the range").isEqualTo(2);
        check(m);
    }

    /** msync writes only shared file mappings: a private mapping's copies are anonymous memory. */
    @Test
    void msyncOfAPrivateMapping_writesNothing() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        int f = cleanFile(m, p, 4);
        long a = m.syscalls().mmapFile(p.mm(), 0, 4 * PAGE, "rw", false, f, 0);
        touch(m, p, a, 4, true);
        long written = stat(m, "nr_written");
        assertThat(new Msync(m.kernel(), cache(m)).msync(p.mm(), a, 4 * PAGE, "sync")).isZero();
        assertThat(stat(m, "nr_written")).isEqualTo(written);
    }

    /**
     * mm/msync.c: an unknown flag, an unaligned start and MS_SYNC|MS_ASYNC are EINVAL; a range
     * meeting a hole is ENOMEM after the mapped part was synced; MS_INVALIDATE of a VM_LOCKED
     * area is EBUSY; an empty range does nothing.
     */
    @Test
    void msync_refusesAsLinuxDoes() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        int f = cleanFile(m, p, 4);
        Mm mm = p.mm();
        long a = m.syscalls().mmapFile(mm, 0, 4 * PAGE, "rw", true, f, 0);
        touch(m, p, a, 4, true);
        Msync ms = new Msync(m.kernel(), cache(m));
        assertThatThrownBy(() -> ms.msync(mm, a, PAGE, "bogus")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ms.msync(mm, a + 1, PAGE, "sync")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ms.msync(mm, a, PAGE, "sync|async")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ms.msync(mm, a, 0, "sync")).isZero();
        assertThat(stat(m, "nr_dirty")).isEqualTo(4);
        assertThatThrownBy(() -> ms.msync(mm, a, 8 * PAGE, "sync")).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("ENOMEM");
        assertThat(stat(m, "nr_dirty")).as("the mapped part was synced").isZero();
        m.syscalls().mlock(mm, a, 4 * PAGE);
        assertThatThrownBy(() -> ms.msync(mm, a, PAGE, "invalidate")).isInstanceOf(SyscallError.class)
                .satisfies(e -> assertThat(((SyscallError) e).errno()).isEqualTo("EBUSY"));
    }

    // ---------------------------------------------------------------- read-only descriptors

    /**
     * do_mmap() (mm/mmap.c): MAP_SHARED|PROT_WRITE of a descriptor opened O_RDONLY is EACCES; a
     * read-only shared mapping of it loses VM_MAYWRITE and VM_SHARED (keeps VM_MAYSHARE), so
     * mprotect(PROT_WRITE) is EACCES (do_mprotect_pkey()); MAP_PRIVATE rw works and never
     * changes the file. Recorded in file-rdonly-fd-shared-write.
     */
    @Test
    void aReadOnlyDescriptor_refusesSharedWriteMappings_butAllowsPrivateCopies() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        int f = cleanFile(m, p, 16);
        Mm mm = p.mm();
        assertThatThrownBy(() -> m.syscalls().mmapFile(mm, 0, 16 * PAGE, "rw", true, f, 0, false))
                .isInstanceOf(SyscallError.class).satisfies(e -> assertThat(((SyscallError) e).errno()).isEqualTo("EACCES"));
        long a = m.syscalls().mmapFile(mm, 0, 16 * PAGE, "r", true, f, 0, false);
        Vma v = mm.findVma(a);
        assertThat(v.has(VmaFlags.VM_MAYSHARE)).isTrue();
        assertThat(v.hasAny(VmaFlags.VM_MAYWRITE | VmaFlags.VM_SHARED)).isFalse();
        assertThatThrownBy(() -> m.syscalls().mprotect(mm, a, 16 * PAGE, "rw")).isInstanceOf(SyscallError.class)
                .satisfies(e -> assertThat(((SyscallError) e).errno()).isEqualTo("EACCES"));
        assertThat(mm.findVma(a).has(VmaFlags.VM_WRITE)).isFalse();
        m.syscalls().mprotect(mm, a, 16 * PAGE, "r"); // no new permission: allowed
        long pr = m.syscalls().mmapFile(mm, 0, 16 * PAGE, "rw", false, f, 0, false);
        touch(m, p, pr, 1, true);
        assertThat(mm.rssAnon).as("a private copy").isEqualTo(1);
        assertThat(stat(m, "nr_dirty")).as("the file's page is unchanged").isZero();
        check(m);
    }

    // ---------------------------------------------------------------- memory cgroup charges

    /**
     * try_charge_memcg() (mm/memcontrol.c) for one page at the limit with nothing to reclaim:
     * the 64-page batch and the page fail (2), once more after drain_all_stock() (1), once per
     * MAX_RECLAIM_RETRIES round (16), then the OOM killer picks the charging task, which retries
     * 1 + 16 times more before it gives up: failcnt 36, as recorded in memcg-anon-oom (min 36)
     * and memcg-shmem-oom (36).
     */
    @Test
    void aChargeThatEndsInTheGroupsOomKill_failsThirtySixTimes() {
        Machine m = machine("swap.size", "0", "vm.overcommit_memory", "1");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", 8L << 20, Long.MAX_VALUE);
        SimProcess p = m.spawn("p", List.of(0));
        p.mm().memcg = id;
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16L << 20, "rw", false, PAGE);
        assertThatThrownBy(() -> touch(m, p, a, 4096, true)).isInstanceOf(OomKilledException.class);
        MemCgroup cg = r.lruDomains().cgroup(id);
        assertThat(cg.failcnt).isEqualTo(36);
        assertThat(cg.eventsOomKill).isEqualTo(1);
        assertThat(cg.peak).isEqualTo(2048);
    }

    /**
     * Dirty page cache at the limit is written back and reclaimed, not an OOM kill: reclaim in a
     * memory cgroup waits for the writeback it asked the flusher for (shrink_folio_list()). The
     * recorded memcg-page-cache-reclaim writes 64 MiB to a file in a 32 MiB group: exit:0,
     * oom_kill 0, max_usage 32768 kB.
     */
    @Test
    void writingAFileLargerThanTheGroupsLimit_reclaimsItsPageCache_withoutAnOomKill() {
        Machine m = machine("swap.size", "0", "machine.memory", "256M");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", 8L << 20, Long.MAX_VALUE);
        SimProcess p = m.spawn("p", List.of(0));
        p.mm().memcg = id;
        PageCache pc = cache(m);
        int f = pc.createFile("f", 16L << 20);
        for (long i = 0; i < 4096; i++) {
            pc.write(p.mm(), 0, f, i);
        }
        MemCgroup cg = r.lruDomains().cgroup(id);
        assertThat(cg.eventsOomKill).isZero();
        assertThat(p.mm().exited).isFalse();
        assertThat(cg.peak).isEqualTo(2048);
        assertThat(cg.current).isLessThanOrEqualTo(2048);
        assertThat(cg.failcnt).isPositive();
        check(m);
    }

    // ---------------------------------------------------------------- the scenario language

    private static final String SCENARIO = """
            config:
              machine.memory: 64M
              block.read_ahead_kb: 0
            files:
              - { name: log, size: 1M }
              - { name: db, size: 64K }
            processes:
              - name: app
                vmas:
                  - { name: map, size: 64K, file: db, shared: true }
            phases:
              - { op: write, file: log }
              - { op: fsync, file: log }
              - { op: fadvise, file: log, offset: 512K, advice: dontneed }
              - { op: sequential, vma: map, write: true }
              - { op: msync, vma: map, length: 32K }
              - { op: ftruncate, file: db, length: 16K }
            """;

    @Test
    void scenarioOps_parseToTheirFilesRangesAndFlags() throws Exception {
        Scenario s = ScenarioParser.parse(new StringReader(SCENARIO), "t.yaml", "test");
        List<io.vmsim.core.scenario.PhaseSpec> p = s.phases();
        assertThat(p.get(1).op()).isEqualTo(PhaseOp.FSYNC);
        assertThat(p.get(2).op()).isEqualTo(PhaseOp.FADVISE);
        assertThat(p.get(2).advice()).isEqualTo("dontneed");
        assertThat(p.get(2).offset()).isEqualTo(512 << 10);
        assertThat(p.get(4).op()).isEqualTo(PhaseOp.MSYNC);
        assertThat(p.get(4).advice()).as("flags default to MS_SYNC").isEqualTo("sync");
        assertThat(p.get(5).op()).isEqualTo(PhaseOp.FTRUNCATE);
        assertThat(p.get(5).file()).isEqualTo(1);
        assertThat(p.get(5).length()).isEqualTo(16 << 10);
        String head = SCENARIO.substring(0, SCENARIO.indexOf("  - { op: write"));
        assertThatThrownBy(() -> ScenarioParser.parse(new StringReader(head + "  - { op: fadvise, file: log, advice: noreuse }\n"),
                "t.yaml", "test")).isInstanceOf(ScenarioException.class).hasMessageContaining("advice");
        assertThatThrownBy(() -> ScenarioParser.parse(new StringReader(head + "  - { op: msync, vma: map, flags: sync|bogus }\n"),
                "t.yaml", "test")).isInstanceOf(ScenarioException.class).hasMessageContaining("msync flag 'bogus'");
        assertThatThrownBy(() -> ScenarioParser.parse(new StringReader(head + "  - { op: ftruncate, file: db }\n"),
                "t.yaml", "test")).isInstanceOf(ScenarioException.class).hasMessageContaining("length");
    }

    /**
     * The run: 256 pages written and fsync'ed (256 written), the second half dropped by DONTNEED
     * (128 of 256 log pages stay), the 16 mapped db pages dirtied and half of them msync'ed
     * (8 more written, 8 still dirty), then db cut to 4 pages: the dirty pages past the end go
     * unwritten, and 4 db pages stay cached.
     */
    @Test
    void scenarioOps_runAsTheKernelRulesSay() throws Exception {
        Scenario s = ScenarioParser.parse(new StringReader(SCENARIO), "t.yaml", "test");
        Map<String, String> cfg = new HashMap<>(s.config());
        cfg.put("policy.reclaim", "exact-lru");
        cfg.put("mm.transparent_hugepage.enabled", "never");
        cfg.put("vmsim.debug_checks", "true");
        RunResult res = Simulation.runScenario(new TestConfig(cfg), new TestCatalog(), s, Progress.NONE);
        assertThat(res.files().get(0).resident()).isEqualTo(128);
        assertThat(res.files().get(1).resident()).isEqualTo(4);
        assertThat(res.counters().get("nr_written")).isEqualTo(256 + 8);
        assertThat(res.counters().get("nr_dirty")).isZero();
    }
}
