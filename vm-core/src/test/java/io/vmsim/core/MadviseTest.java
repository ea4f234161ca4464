package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MADV_COLD, MADV_PAGEOUT and MADV_FREE against mm/madvise.c (Linux 6.18) and the recorded cases
 * conformance/expected/madv-cold-anon, madv-pageout-anon-noswap, madv-pageout-file,
 * madv-free-anon. The invariant checker runs after every call; the reclaim policy is the test's
 * exact LRU, which records what the core tells it.
 */
final class MadviseTest {
    private static final long PAGE = 4096;
    private static final int N = 16;

    private static Machine machine(String swap) {
        return Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", swap, "vmsim.debug_checks", "true",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru"), new TestCatalog());
    }

    private static void touch(Machine m, Task t, long a, int from, int to, boolean write) {
        for (int i = from; i < to; i++) {
            m.access(t, a + i * PAGE, write);
        }
    }

    private static long pte(Machine m, Mm mm, long va) {
        return m.kernel().lookupLeaf(mm, va);
    }

    @Test
    void cold_clearsTheAccessedBits_andHintsThePolicy_onlyForPagesMappedHereAlone() {
        Machine m = machine("64M");
        SimProcess parent = m.spawn("p", List.of(0));
        Task t = parent.threads().get(0);
        long a = m.syscalls().mmapAnon(parent.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        SimProcess child = m.fork(parent, 0);
        touch(m, child.threads().get(0), a, 0, 8, true); // the child copies pages 0-7: the parent's are its own again
        touch(m, t, a, 0, N, false); // young in the parent
        long faults = m.vmstat().get("pgfault");
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            mine.add(Pte.pfn(pte(m, parent.mm(), a + i * PAGE)));
        }
        m.syscalls().madvise(parent.mm(), a, N * PAGE, "cold", 0);
        m.debugChecks().check("cold");
        // folio_maybe_mapped_shared(): pages 8-15, still shared with the child, are left alone
        assertThat(TestCatalog.lastRecording.deactivated).containsExactlyElementsOf(mine);
        for (int i = 0; i < N; i++) {
            assertThat((pte(m, parent.mm(), a + i * PAGE) & Pte.ACCESSED) != 0).as("young %d", i).isEqualTo(i >= 8);
        }
        // recorded: Rss kept, and reading the pages again takes no fault
        assertThat(parent.mm().rssAnon()).isEqualTo(N);
        touch(m, t, a, 0, N, false);
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults);
    }

    @Test
    void coldAndPageout_refuseALockedArea_andFree_anythingButPrivateAnonymousMemory() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        Mm mm = p.mm();
        long locked = m.syscalls().mmapAnon(mm, 0, N * PAGE, "rw", false, PAGE);
        m.syscalls().mlock(mm, locked, N * PAGE);
        long shared = m.syscalls().mmapAnon(mm, 0, N * PAGE, "rw", true, PAGE);
        int f = Reclaim.of(m.kernel()).pageCache().createFile("f", N * PAGE);
        long file = m.syscalls().mmapFile(mm, 0, N * PAGE, "r", false, f, 0);
        for (String advice : List.of("cold", "pageout", "free")) {
            assertThatThrownBy(() -> m.syscalls().madvise(mm, locked, N * PAGE, advice, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EINVAL");
        }
        assertThatThrownBy(() -> m.syscalls().madvise(mm, shared, N * PAGE, "free", 0)).hasMessageContaining("EINVAL");
        assertThatThrownBy(() -> m.syscalls().madvise(mm, file, N * PAGE, "free", 0)).hasMessageContaining("EINVAL");
        m.syscalls().madvise(mm, shared, N * PAGE, "cold", 0);
        m.syscalls().madvise(mm, file, N * PAGE, "pageout", 0);
        assertThatThrownBy(() -> m.syscalls().madvise(mm, shared + 1, PAGE, "cold", 0)).hasMessageContaining("EINVAL");
        m.debugChecks().check("errors");
    }

    @Test
    void pageout_ofCleanFilePages_dropsThemFromThePageCache_withShadows_andRereadsAreMajorFaults() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("f", N * PAGE);
        long a = m.syscalls().mmapFile(p.mm(), 0, N * PAGE, "r", false, f, 0);
        touch(m, t, a, 0, N, false);
        assertThat(p.mm().rssFile()).isEqualTo(N);
        ReclaimTestPolicies.Recording policy = TestCatalog.lastRecording;
        long evicted = policy.evicted;
        long steal = m.vmstat().get("pgsteal_file");
        m.syscalls().madvise(p.mm(), a, N * PAGE, "pageout", 0);
        m.debugChecks().check("pageout");
        // recorded: Rss 0, nothing resident, nothing cached
        assertThat(p.mm().rssFile()).isZero();
        for (int i = 0; i < N; i++) {
            assertThat(pte(m, p.mm(), a + i * PAGE)).isZero();
            assertThat(pc.lookup(f, i)).isNegative();
        }
        // reclaim_pages() evicts through __remove_mapping(): a shadow each; shrink_inactive_list()
        // is not on this path, so pgsteal is not counted
        assertThat(policy.evicted - evicted).isEqualTo(N);
        assertThat(m.vmstat().get("nr_shadow_entries")).isEqualTo(N);
        assertThat(m.vmstat().get("pgsteal_file")).isEqualTo(steal);
        long maj = m.vmstat().get("pgmajfault");
        touch(m, t, a, 0, N, false);
        m.debugChecks().check("reread");
        assertThat(m.vmstat().get("pgmajfault")).isGreaterThan(maj);
        assertThat(policy.refaults).hasSize(N);
        assertThat(p.mm().rssFile()).isEqualTo(N);
    }

    @Test
    void pageout_keepsDirtyFilePages_andAnonymousPagesWhenThereIsNoSwap() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("f", N * PAGE);
        long shared = m.syscalls().mmapFile(p.mm(), 0, N * PAGE, "rw", true, f, 0);
        touch(m, t, shared, 0, N, true);
        long anon = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, anon, 0, N, true);
        long faults = m.vmstat().get("pgfault");
        m.syscalls().madvise(p.mm(), shared, N * PAGE, "pageout", 0);
        m.syscalls().madvise(p.mm(), anon, N * PAGE, "pageout", 0);
        m.debugChecks().check("pageout");
        // a dirty file page is not written back by MADV_PAGEOUT (only kswapd writes file pages);
        // recorded madv-pageout-anon-noswap: Rss kept, no fault on re-read
        assertThat(p.mm().rssFile()).isEqualTo(N);
        assertThat(p.mm().rssAnon()).isEqualTo(N);
        for (int i = 0; i < N; i++) {
            assertThat(pc.lookup(f, i)).isNotNegative();
        }
        touch(m, t, shared, 0, N, false);
        touch(m, t, anon, 0, N, false);
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults);
    }

    /**
     * Recorded madv-pageout-anon (Linux 6.18, 1 GiB swap): after MADV_PAGEOUT of 16 written pages
     * Rss is 0 and pagemap shows 16 swapped pages, yet mincore() reports all 16 resident and the
     * re-read takes 16 minor faults and no major one: {@code pageout()} starts the write and the
     * folios stay in the swap cache ({@code mincore_swap()} finds them, {@code do_swap_page()} maps
     * them without I/O, so no {@code pswpin}).
     */
    @Test
    void pageout_ofAnonymousPagesWithSwap_writesThemAndUnmapsThem_butKeepsThemInTheSwapCache() {
        Machine m = machine("64M");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        Kernel k = m.kernel();
        long a = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        long out = m.vmstat().get("pswpout");
        m.syscalls().madvise(p.mm(), a, N * PAGE, "pageout", 0);
        m.debugChecks().check("pageout");
        assertThat(m.vmstat().get("pswpout") - out).isEqualTo(N);
        assertThat(p.mm().rssAnon()).isZero();
        assertThat(p.mm().swapEnts).isEqualTo(N);
        for (int i = 0; i < N; i++) {
            long e = pte(m, p.mm(), a + i * PAGE);
            assertThat(Pte.isSwap(e)).isTrue();
            // mincore_swap(): the entry's page is in the swap cache, so it is resident
            assertThat(Reclaim.of(k).swap().lookup(e)).as("swap cache page of %d", i).isNotNegative();
        }
        assertThat(m.meminfo().get("SwapCached")).isEqualTo(N * PAGE / 1024);
        // not evicted: the policy still tracks the pages
        assertThat(TestCatalog.lastRecording.evicted).isZero();
        long in = m.vmstat().get("pswpin");
        long faults = m.vmstat().get("pgfault");
        long major = m.vmstat().get("pgmajfault");
        touch(m, t, a, 0, N, false);
        m.debugChecks().check("swap-in");
        assertThat(m.vmstat().get("pgfault") - faults).isEqualTo(N);
        assertThat(m.vmstat().get("pgmajfault") - major).isZero();
        assertThat(m.vmstat().get("pswpin") - in).isZero();
        assertThat(p.mm().rssAnon()).isEqualTo(N);
        assertThat(p.mm().swapEnts).isZero();
    }

    /**
     * The clean swap-cache pages MADV_PAGEOUT leaves are freed by a later reclaim without being
     * written again ({@code shrink_folio_list()} skips {@code pageout()} for a clean folio), after
     * which a re-read is a major fault that reads them from swap.
     */
    @Test
    void pageout_ofAnonymousPages_laterReclaimFreesThemWithoutASecondWrite() {
        Machine m = machine("64M");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        Kernel k = m.kernel();
        long a = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        m.syscalls().madvise(p.mm(), a, N * PAGE, "pageout", 0);
        long out = m.vmstat().get("pswpout");
        PageCache pc = Reclaim.of(k).pageCache();
        int f = pc.createFile("big", 128L << 20);
        for (long i = 0; i < (128L << 20) / PAGE; i++) {
            pc.read(p.mm(), 0, f, i);
            if ((i & 255) == 0) {
                m.tick();
            }
        }
        m.debugChecks().check("pressure");
        for (int i = 0; i < N; i++) {
            assertThat(Reclaim.of(k).swap().lookup(pte(m, p.mm(), a + i * PAGE))).as("page %d", i).isNegative();
        }
        assertThat(m.vmstat().get("pswpout")).isEqualTo(out);
        long in = m.vmstat().get("pswpin");
        long major = m.vmstat().get("pgmajfault");
        touch(m, t, a, 0, N, false);
        m.debugChecks().check("swap-in");
        assertThat(m.vmstat().get("pswpin") - in).isEqualTo(N);
        assertThat(m.vmstat().get("pgmajfault") - major).isEqualTo(N);
    }

    /** munmap of the swap entries frees the swap-cache pages with their slots ({@code free_swap_and_cache()}). */
    @Test
    void pageout_thenMunmap_freesTheSwapCachePagesAndSlots() {
        Machine m = machine("64M");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        m.syscalls().madvise(p.mm(), a, N * PAGE, "pageout", 0);
        m.syscalls().munmap(p.mm(), a, N * PAGE, 0);
        m.debugChecks().check("munmap");
        assertThat(m.meminfo().get("SwapCached")).isZero();
        assertThat(m.meminfo().get("SwapFree")).isEqualTo(m.meminfo().get("SwapTotal"));
        assertThat(m.meminfo().get("AnonPages")).isZero();
    }

    @Test
    void free_withoutPressure_keepsThePagesMapped_butCleanAndLazyFree() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        long faults = m.vmstat().get("pgfault");
        m.syscalls().madvise(p.mm(), a, N * PAGE, "free", 0);
        m.debugChecks().check("free");
        PageFrames fr = m.kernel().frames;
        for (int i = 0; i < N; i++) {
            long e = pte(m, p.mm(), a + i * PAGE);
            assertThat(Pte.present(e)).isTrue();
            assertThat(e & (Pte.DIRTY | Pte.ACCESSED)).isZero();
            int pfn = Pte.pfn(e);
            // lru_lazyfree(): no longer swap-backed, on the LRU as a file page would be, even without swap
            assertThat(fr.test(pfn, PageFrames.PG_SWAPBACKED)).isFalse();
            assertThat(fr.test(pfn, PageFrames.PG_LRU)).isTrue();
            assertThat(fr.isAnon(pfn)).isFalse();
        }
        assertThat(m.vmstat().get("pglazyfree")).isEqualTo(N);
        // recorded madv-free-anon: Rss 64 KiB, and neither the re-read nor a rewrite faults
        assertThat(p.mm().rssAnon()).isEqualTo(N);
        touch(m, t, a, 0, N, false);
        touch(m, t, a, 0, 4, true);
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults);
    }

    @Test
    void free_underPressure_discardsTheCleanPages_andKeepsThoseWrittenAgain() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        Kernel k = m.kernel();
        long a = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        m.syscalls().madvise(p.mm(), a, N * PAGE, "free", 0);
        touch(m, t, a, 0, 4, true); // redirtied: must survive
        // memory pressure without swap: a file twice the size of RAM read through the page cache
        PageCache pc = Reclaim.of(k).pageCache();
        int f = pc.createFile("big", 128L << 20);
        for (long i = 0; i < (128L << 20) / PAGE; i++) {
            pc.read(p.mm(), 0, f, i);
            if ((i & 255) == 0) {
                m.tick();
            }
        }
        m.debugChecks().check("pressure");
        // try_to_unmap_one(): clean lazy-free pages are discarded, redirtied ones become swap-backed
        assertThat(m.vmstat().get("pglazyfreed")).isEqualTo(N - 4);
        // the lazy-free pages were reclaimed from the file LRU: nothing counts as anonymous reclaim
        assertThat(m.vmstat().get("pgsteal_anon")).isZero();
        for (int i = 0; i < N; i++) {
            long e = pte(m, p.mm(), a + i * PAGE);
            assertThat(Pte.present(e)).as("page %d", i).isEqualTo(i < 4);
            if (i < 4) {
                assertThat(k.frames.test(Pte.pfn(e), PageFrames.PG_SWAPBACKED)).isTrue();
            } else {
                assertThat(e).isZero(); // no swap entry: the data is gone
            }
        }
        assertThat(p.mm().rssAnon()).isEqualTo(4);
        long faults = m.vmstat().get("pgfault");
        touch(m, t, a, 4, 5, false); // a discarded page reads as a new zero-filled page
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults + 1);
        assertThat(m.vmstat().get("pgmajfault")).isZero();
    }

    @Test
    void free_dropsTheSwapEntriesOfTheRange() {
        Machine m = machine("64M");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, N * PAGE, "rw", false, PAGE);
        touch(m, t, a, 0, N, true);
        m.syscalls().madvise(p.mm(), a, N * PAGE, "pageout", 0);
        assertThat(p.mm().swapEnts).isEqualTo(N);
        m.syscalls().madvise(p.mm(), a, N * PAGE, "free", 0);
        m.debugChecks().check("free swapped");
        assertThat(p.mm().swapEnts).isZero();
        assertThat(m.meminfo().get("SwapFree")).isEqualTo(m.meminfo().get("SwapTotal"));
        long in = m.vmstat().get("pswpin");
        touch(m, t, a, 0, N, false);
        assertThat(m.vmstat().get("pswpin")).isEqualTo(in); // new zero-filled pages, nothing swapped in
    }
}
