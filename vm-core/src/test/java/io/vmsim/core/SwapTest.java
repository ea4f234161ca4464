package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.swap.SwapSpace;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Swap-out under pressure and swap-in faults, with the rmap, slots, shadows and frames checked page by page. */
final class SwapTest {
    private static final long MIB = 1L << 20;

    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "64M", "swap.size", "128M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    private static void touchAll(Machine m, Task t, long a, long len, boolean write) {
        for (long off = 0; off < len; off += 4096) {
            m.access(t, a + off, write);
            if ((off & ((1 << 20) - 1)) == 0) {
                m.tick();
            }
        }
    }

    /**
     * Every page of the area is either mapped by a present PTE to an anonymous frame whose rmap
     * identity (anon_vma, index) names this address, or held by a swap entry of a used slot;
     * returns the number of swap entries.
     */
    private static long checkArea(Machine m, Mm mm, long a, long len) {
        Kernel k = m.kernel();
        SwapSpace swap = Reclaim.of(k).swap();
        Vma vma = mm.findVma(a);
        long swapped = 0;
        for (long va = a; va < a + len; va += 4096) {
            long e = k.lookupLeaf(mm, va);
            if (Pte.isSwap(e)) {
                assertThat(swap.count(e)).as("slot count at %x", va).isPositive();
                swapped++;
            } else {
                assertThat(Pte.present(e)).as("PTE at %x", va).isTrue();
                int pfn = Pte.pfn(e);
                assertThat(k.frames.test(pfn, PageFrames.PG_ANON)).isTrue();
                assertThat(k.frames.mapping(pfn)).isEqualTo(vma.anonVma().id());
                assertThat(k.frames.index(pfn) & 0xffffffffL).isEqualTo(vma.linearIndex(va));
                assertThat(k.frames.mapcount(pfn)).isEqualTo(1);
            }
        }
        return swapped;
    }

    private static void checkFrames(Machine m) {
        m.kernel().allocator.verify();
        Reclaim.of(m.kernel()).verify();
        ReclaimTestPolicies.Recording policy = TestCatalog.lastRecording;
        policy.verifyInvariants();
        Set<Integer> lru = new HashSet<>();
        PageFrames f = m.kernel().frames;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            if (f.test(pfn, PageFrames.PG_LRU)) {
                lru.add(pfn);
            }
        }
        assertThat(lru).isEqualTo(new HashSet<>(policy.order));
    }

    @Test
    void anonymousMemoryLargerThanRam_isSwappedOutAndBackIn_withRmapCorrectPtes() {
        Machine m = machine();
        SimProcess p = m.spawn("big", List.of(0));
        Task t = p.threads().get(0);
        long len = 96 * MIB;
        long a = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", false, 4096);
        touchAll(m, t, a, len, true);
        long out1 = m.vmstat().get("pswpout");
        assertThat(out1).isPositive();
        long swapped = checkArea(m, p.mm(), a, len);
        assertThat(p.mm().swapEnts).isEqualTo(swapped);
        assertThat(p.mm().rssAnon + p.mm().swapEnts).isEqualTo(len >>> 12);
        assertThat(m.meminfo().get("SwapTotal") - m.meminfo().get("SwapFree")).isEqualTo(4 * swapped);
        checkFrames(m);

        long maj0 = m.vmstat().get("pgmajfault");
        touchAll(m, t, a, len, false);
        long in = m.vmstat().get("pswpin");
        assertThat(in).isPositive();
        // each swap-in is a major fault, and nothing else here is
        assertThat(m.vmstat().get("pgmajfault") - maj0).isEqualTo(in);
        long swapped2 = checkArea(m, p.mm(), a, len);
        assertThat(p.mm().rssAnon + p.mm().swapEnts).isEqualTo(len >>> 12);
        assertThat(m.vmstat().get("pswpout")).isGreaterThan(out1);
        assertThat(swapped2).isEqualTo(p.mm().swapEnts);
        assertThat(m.vmstat().get("workingset_refault_anon")).isEqualTo(in);
        checkFrames(m);

        m.syscalls().exit(p.mm(), 0);
        assertThat(m.meminfo().get("SwapFree")).isEqualTo(m.meminfo().get("SwapTotal"));
        assertThat(m.meminfo().get("AnonPages")).isZero();
        checkFrames(m);
    }

    @Test
    void sharedAnonymousPages_swappedOutOfBothProcesses_comeBackAsOneFrameForBoth() {
        Machine m = machine("vm.overcommit_memory", "1");
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 << 20, "rw", true, 4096);
        SimProcess c = m.fork(p, 0);
        Task pt = p.threads().get(0);
        Task ct = c.threads().get(0);
        for (long o = 0; o < 16 << 20; o += 4096) {
            m.access(pt, a + o, true);
        }
        for (long o = 0; o < 8 << 20; o += 4096) {
            m.access(ct, a + o, false);
        }
        SimProcess hog = m.spawn("hog", List.of(0));
        long h = m.syscalls().mmapAnon(hog.mm(), 0, 56 << 20, "rw", false, 4096);
        for (long o = 0; o < 56 << 20; o += 4096) {
            m.access(hog.threads().get(0), h + o, true);
        }
        assertThat(p.mm().swapEnts).isPositive();
        // shmem (mm/shmem.c): whichever process faults a page back in, both then map that one page
        for (long o = 0; o < 16 << 20; o += 4096) {
            m.access(ct, a + o, false);
            m.access(pt, a + o, false);
            assertThat(Pte.pfn(m.kernel().lookupLeaf(c.mm(), a + o))).isEqualTo(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + o)));
        }
        assertThat(p.mm().rssAnon).isEqualTo(4096);
        assertThat(c.mm().rssAnon).isEqualTo(4096);
        m.syscalls().exit(c.mm(), 0);
        m.syscalls().exit(p.mm(), 0);
        m.syscalls().exit(hog.mm(), 0);
        m.kernel().allocator.verify();
        Reclaim.of(m.kernel()).verify();
        assertThat(m.meminfo().get("SwapFree")).isEqualTo(m.meminfo().get("SwapTotal"));
    }

    @Test
    void refault_handsThePolicyBackTheShadowItReturnedForThatVeryPage() {
        Machine m = machine();
        SimProcess p = m.spawn("big", List.of(0));
        Task t = p.threads().get(0);
        long len = 80 * MIB;
        long a = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", false, 4096);
        touchAll(m, t, a, len, true);
        touchAll(m, t, a, len, false);
        ReclaimTestPolicies.Recording policy = TestCatalog.lastRecording;
        assertThat(policy.refaults).isNotEmpty();
        for (long[] r : policy.refaults) {
            assertThat(policy.shadowToKey).containsEntry(r[1], r[0]);
        }
        assertThat((long) policy.refaults.size()).isEqualTo(m.vmstat().get("pswpin"));
    }

    @Test
    void pagesSharedAfterFork_areReadFromSwapOnce_andTheSwapCacheServesTheOtherProcess() {
        Machine m = machine();
        SimProcess parent = m.spawn("parent", List.of(0));
        long len = 16 * MIB;
        long a = m.syscalls().mmapAnon(parent.mm(), 0, len, "rw", false, 4096);
        touchAll(m, parent.threads().get(0), a, len, true);
        SimProcess child = m.fork(parent, 0);
        // push both copies' PTEs out with another process's memory
        SimProcess hog = m.spawn("hog", List.of(0));
        long h = m.syscalls().mmapAnon(hog.mm(), 0, 80 * MIB, "rw", false, 4096);
        touchAll(m, hog.threads().get(0), h, 80 * MIB, true);
        long sharedSwapped = 0;
        for (long va = a; va < a + len; va += 4096) {
            long pe = m.kernel().lookupLeaf(parent.mm(), va);
            long ce = m.kernel().lookupLeaf(child.mm(), va);
            if (Pte.isSwap(pe) && Pte.isSwap(ce)) {
                assertThat(pe).isEqualTo(ce);
                assertThat(Reclaim.of(m.kernel()).swap().count(pe)).isEqualTo(2);
                sharedSwapped++;
            }
        }
        assertThat(sharedSwapped).isPositive();
        m.syscalls().exit(hog.mm(), 0);
        long in0 = m.vmstat().get("pswpin");
        touchAll(m, child.threads().get(0), a, len, false);
        touchAll(m, parent.threads().get(0), a, len, false);
        // one read per shared slot: the second process finds the page in the swap cache
        long read = m.vmstat().get("pswpin") - in0;
        assertThat(read).isEqualTo(sharedSwapped);
        // read faults leave every page read in the swap cache, holding its slot and nothing else does
        assertThat(m.meminfo().get("SwapCached")).isEqualTo(4 * read);
        assertThat(m.meminfo().get("SwapTotal") - m.meminfo().get("SwapFree")).isEqualTo(4 * read);
        checkFrames(m);
    }

    @Test
    void withoutSwap_anonymousPagesAreUnevictable_andNeverReachThePolicy() {
        Machine m = machine("swap.size", "0");
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 8 * MIB, "rw", false, 4096);
        touchAll(m, p.threads().get(0), a, 8 * MIB, true);
        assertThat(TestCatalog.lastRecording.size()).isZero();
        assertThat(m.meminfo().get("Unevictable")).isEqualTo(m.meminfo().get("AnonPages")).isEqualTo(8 * 1024);
    }

    @Test
    void mlockedPages_leaveThePolicy_andStayResidentUnderPressure() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 8 * MIB, "rw", false, 4096);
        touchAll(m, t, a, 4 * MIB, true); // half resident before mlock
        int before = TestCatalog.lastRecording.size();
        m.syscalls().mlock(p.mm(), a, 8 * MIB);
        assertThat(TestCatalog.lastRecording.size()).isEqualTo(before - 1024);
        touchAll(m, t, a, 8 * MIB, true); // the rest faults in locked
        assertThat(m.meminfo().get("Mlocked")).isEqualTo(8 * 1024);
        SimProcess hog = m.spawn("hog", List.of(0));
        long h = m.syscalls().mmapAnon(hog.mm(), 0, 96 * MIB, "rw", false, 4096);
        touchAll(m, hog.threads().get(0), h, 96 * MIB, true);
        assertThat(m.vmstat().get("pswpout")).isPositive();
        assertThat(p.mm().swapEnts).isZero();
        assertThat(p.mm().rssAnon).isEqualTo(2048);
        checkFrames(m);
    }

    // ---------------------------------------------------------------- the swap cache after a swap-in

    /** A machine with 96 MiB of anonymous memory written once into 64 MiB of RAM. */
    private static final class Swapped {
        final Machine m;
        final Kernel k;
        final SwapSpace swap;
        final SimProcess p;
        final Task t;
        final long a;
        final long len = 96 * MIB;

        Swapped(String... kv) {
            m = machine(kv);
            k = m.kernel();
            swap = Reclaim.of(k).swap();
            p = m.spawn("big", List.of(0));
            t = p.threads().get(0);
            a = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", false, 4096);
            touchAll(m, t, a, len, true);
        }

        long firstSwapped() {
            for (long va = a; va < a + len; va += 4096) {
                if (Pte.isSwap(k.lookupLeaf(p.mm(), va))) {
                    return va;
                }
            }
            throw new AssertionError("nothing was swapped out");
        }

        long usedSlots() {
            return swap.totalPages() - swap.freePages();
        }

        long vmstat(String name) {
            return m.vmstat().get(name);
        }

        /**
         * Makes {@code pfn} the exact-LRU policy's coldest page and runs one direct reclaim
         * (SWAP_CLUSTER_MAX pages: it and the 31 next coldest); returns the pswpout it caused.
         */
        long reclaimWith(int pfn) {
            ReclaimTestPolicies.Recording policy = TestCatalog.lastRecording;
            List<Integer> rest = new java.util.ArrayList<>(policy.order);
            rest.remove(Integer.valueOf(pfn));
            policy.order.clear();
            policy.order.add(pfn);
            policy.order.addAll(rest);
            long out = vmstat("pswpout");
            assertThat(Reclaim.of(k).vmscan().directReclaim(io.vmsim.core.alloc.Gfp.GFP_KERNEL, 0, 0))
                    .isEqualTo(io.vmsim.core.vmscan.Vmscan.SWAP_CLUSTER_MAX);
            return vmstat("pswpout") - out;
        }
    }

    /**
     * do_swap_page() on a read fault leaves the page in the swap cache: the slot stays allocated
     * and the page clean, so evicting it again writes nothing (pageout() is skipped; of the 32
     * pages reclaimed only the 31 never swapped are written) and its PTE gets the same entry back.
     */
    @Test
    void readFaultedSwapIn_keepsItsSlot_andIsEvictedAgainWithoutAWrite() {
        Swapped s = new Swapped();
        long va = s.firstSwapped();
        long entry = s.k.lookupLeaf(s.p.mm(), va);
        long used = s.usedSlots();
        long in = s.vmstat("pswpin");
        assertThat(s.swap.full()).isFalse();
        s.m.access(s.t, va, false);
        assertThat(s.vmstat("pswpin")).isEqualTo(in + 1);
        int pfn = Pte.pfn(s.k.lookupLeaf(s.p.mm(), va));
        assertThat(s.k.frames.test(pfn, PageFrames.PG_SWAPCACHE)).isTrue();
        assertThat(s.swap.entryOf(pfn)).isEqualTo(entry);
        assertThat(s.usedSlots()).isEqualTo(used);
        assertThat(s.m.meminfo().get("SwapCached")).isEqualTo(4);
        checkFrames(s.m);

        assertThat(s.reclaimWith(pfn)).isEqualTo(Vmscan_SWAP_CLUSTER_MAX - 1);
        assertThat(s.k.lookupLeaf(s.p.mm(), va)).isEqualTo(entry);
        assertThat(s.swap.count(entry)).isEqualTo(1);
        assertThat(s.m.meminfo().get("SwapCached")).isZero();
        checkFrames(s.m);
    }

    /** A write fault on the swap entry frees the slot at once (should_try_to_free_swap()): the page is dirty again. */
    @Test
    void writeFaultedSwapIn_freesItsSlot_andIsWrittenWhenEvictedAgain() {
        Swapped s = new Swapped();
        long va = s.firstSwapped();
        long used = s.usedSlots();
        s.m.access(s.t, va, true);
        int pfn = Pte.pfn(s.k.lookupLeaf(s.p.mm(), va));
        assertThat(s.k.frames.test(pfn, PageFrames.PG_SWAPCACHE)).isFalse();
        assertThat(s.usedSlots()).isEqualTo(used - 1);
        assertThat(s.reclaimWith(pfn)).isEqualTo(Vmscan_SWAP_CLUSTER_MAX);
        assertThat(Pte.isSwap(s.k.lookupLeaf(s.p.mm(), va))).isTrue();
        checkFrames(s.m);
    }

    /**
     * Read in, then written through the writable PTE (no fault): the page keeps its slot but
     * is dirty, so eviction writes it, to the same slot.
     */
    @Test
    void readFaultedSwapIn_dirtiedThroughItsPte_isWrittenToTheSameSlot() {
        Swapped s = new Swapped();
        long va = s.firstSwapped();
        long entry = s.k.lookupLeaf(s.p.mm(), va);
        s.m.access(s.t, va, false);
        long faults = s.vmstat("pgfault");
        s.m.access(s.t, va, true);
        assertThat(s.vmstat("pgfault")).isEqualTo(faults);
        int pfn = Pte.pfn(s.k.lookupLeaf(s.p.mm(), va));
        assertThat(s.k.frames.test(pfn, PageFrames.PG_SWAPCACHE)).isTrue();
        assertThat(s.reclaimWith(pfn)).isEqualTo(Vmscan_SWAP_CLUSTER_MAX);
        assertThat(s.k.lookupLeaf(s.p.mm(), va)).isEqualTo(entry);
        checkFrames(s.m);
    }

    /** With swap more than half full (vm_swap_full()) even a read fault gives the slot up. */
    @Test
    void readFaultedSwapIn_withSwapMoreThanHalfFull_freesItsSlot() {
        Swapped s = new Swapped("swap.size", "48M");
        assertThat(s.swap.full()).isTrue();
        assertThat(s.usedSlots() * 2).isGreaterThan(s.swap.totalPages());
        long va = s.firstSwapped();
        long used = s.usedSlots();
        s.m.access(s.t, va, false);
        int pfn = Pte.pfn(s.k.lookupLeaf(s.p.mm(), va));
        assertThat(s.k.frames.test(pfn, PageFrames.PG_SWAPCACHE)).isFalse();
        assertThat(s.usedSlots()).isEqualTo(used - 1);
        checkFrames(s.m);
    }

    private static final int Vmscan_SWAP_CLUSTER_MAX = io.vmsim.core.vmscan.Vmscan.SWAP_CLUSTER_MAX;
}
