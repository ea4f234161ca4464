package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.ksm.Ksm;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.swap.SwapSpace;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reclaim of KSM pages (issue 11), as Linux 6.18 does it: {@code shrink_folio_list()} unmaps a
 * KSM page through {@code rmap_walk_ksm()}, every PTE that mapped it gets the same swap entry
 * ({@code try_to_unmap_one()} takes one {@code swap_duplicate()} a PTE), the page is written
 * and freed; its stable node is then stale, and {@code remove_node_from_stable_tree()} takes
 * one from {@code pages_shared} and one from {@code pages_sharing} for each other rmap_item
 * (mm/ksm.c). A swap-in reads the slot for the first process to fault; the page belongs to that
 * process's anon_vma, so every other process gets a copy ({@code ksm_might_need_to_copy()}); none
 * of them is a KSM page until ksmd merges them again.
 */
final class KsmSwapTest {
    private static final long PAGE = 4096;
    private static final int PROCS = 4;
    private static final int PAGES = 4;
    private static final long SAME = 77;

    private final Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", "16M",
            "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru", "policy.ksm", "linux",
            "mm.ksm.run", "1", "vmsim.debug_checks", "true"), new TestCatalog());
    private final Kernel k = m.kernel();
    private final SwapSpace swap = Reclaim.of(k).swap();
    private final List<Task> tasks = new ArrayList<>();
    private final List<Long> bases = new ArrayList<>();
    private final List<SimProcess> procs = new ArrayList<>();

    /** PROCS unrelated processes, each with PAGES pages: the first holds SAME in all of them, the others unique data. */
    private void populate() {
        for (int p = 0; p < PROCS; p++) {
            SimProcess proc = m.spawn("p" + p, List.of(0));
            Task t = proc.threads().get(0);
            long base = m.syscalls().mmapAnon(proc.mm(), 0, PAGES * PAGE, "rw", false, 4096);
            m.store(t, base, SAME);
            for (int i = 1; i < PAGES; i++) {
                m.store(t, base + i * PAGE, 1000 + p * PAGES + i);
            }
            m.syscalls().madvise(proc.mm(), base, PAGES * PAGE, "mergeable", 0);
            tasks.add(t);
            bases.add(base);
            procs.add(proc);
        }
    }

    private void untilFullScans(long scans) {
        for (int i = 0; i < 100_000 && m.ksm().stats().fullScans() < scans; i++) {
            k.clock.advance(1_000_000_000L);
            m.tick();
        }
        assertThat(m.ksm().stats().fullScans()).isGreaterThanOrEqualTo(scans);
    }

    private long pte(int p) {
        return k.lookupLeaf(tasks.get(p).mm(), bases.get(p));
    }

    /** Makes {@code pfn} the exact-LRU policy's coldest page and runs one direct reclaim. */
    private void reclaimFirst(int pfn) {
        ReclaimTestPolicies.Recording policy = TestCatalog.lastRecording;
        assertThat(policy.order).as("the KSM page is on the LRU").contains(pfn);
        List<Integer> rest = new ArrayList<>(policy.order);
        rest.remove(Integer.valueOf(pfn));
        policy.order.clear();
        policy.order.add(pfn);
        policy.order.addAll(rest);
        assertThat(Reclaim.of(k).vmscan().directReclaim(io.vmsim.core.alloc.Gfp.GFP_KERNEL, 0, 0)).isPositive();
    }

    @Test
    void aKsmPageSharedByFourProcesses_isSwappedToOneSlot_andEachReadsItsContentsBack() {
        populate();
        untilFullScans(2);
        int kpfn = Pte.pfn(pte(0));
        assertThat(k.frames.test(kpfn, PageFrames.PG_KSM)).isTrue();
        for (int p = 0; p < PROCS; p++) {
            assertThat(Pte.pfn(pte(p))).isEqualTo(kpfn);
        }
        assertThat(k.frames.mapcount(kpfn)).isEqualTo(PROCS);
        Ksm.Stats merged = m.ksm().stats();
        assertThat(merged.pagesShared()).isEqualTo(1);
        assertThat(merged.pagesSharing()).isEqualTo(PROCS - 1);
        long anonBefore = k.nrAnonPages;
        long pswpout = m.vmstat().get("pswpout");
        long[] swapEntsBefore = new long[PROCS];
        for (int p = 0; p < PROCS; p++) {
            swapEntsBefore[p] = tasks.get(p).mm().swapEnts;
        }

        reclaimFirst(kpfn);

        // try_to_unmap() through rmap_walk_ksm(): every PTE holds the same entry, one count each
        long entry = pte(0);
        assertThat(Pte.isSwap(entry)).isTrue();
        for (int p = 0; p < PROCS; p++) {
            assertThat(pte(p)).isEqualTo(entry);
            assertThat(tasks.get(p).mm().swapEnts).isGreaterThan(swapEntsBefore[p]);
        }
        assertThat(swap.count(entry)).isEqualTo(PROCS);
        assertThat(swap.lookup(entry)).isEqualTo(-1); // written, and gone from the swap cache
        assertThat(m.vmstat().get("pswpout")).isGreaterThan(pswpout);
        // the frame is freed, holding neither a KSM page nor contents
        assertThat(k.frames.refcount(kpfn)).isZero();
        assertThat(k.frames.test(kpfn, PageFrames.PG_KSM)).isFalse();
        assertThat(k.contents.has(kpfn)).isFalse();
        assertThat(k.nrAnonPages).isLessThan(anonBefore);
        // remove_node_from_stable_tree(): the node's 1 + 3 rmap_items leave pages_shared and
        // pages_sharing; the rmap_items stay (volatile) until ksmd passes them
        Ksm.Stats out = m.ksm().stats();
        assertThat(out.pagesShared()).isZero();
        assertThat(out.pagesSharing()).isZero();
        assertThat(out.rmapItems()).isEqualTo(merged.rmapItems());
        assertThat(out.generalProfit()).isEqualTo(KsmTest.generalProfit(0, 0, out.rmapItems()));
        m.debugChecks().check("KSM page swapped out");

        long pswpin = m.vmstat().get("pswpin");
        Set<Integer> pfns = new HashSet<>();
        for (int p = 0; p < PROCS; p++) {
            assertThat(m.load(tasks.get(p), bases.get(p))).as("process %d reads the merged contents", p).isEqualTo(SAME);
            int pfn = Pte.pfn(pte(p));
            assertThat(k.frames.test(pfn, PageFrames.PG_KSM)).isFalse();
            pfns.add(pfn);
            m.debugChecks().check("process " + p + " swapped in");
        }
        // one read of the slot; the three unrelated processes get copies of the page read
        assertThat(m.vmstat().get("pswpin")).isEqualTo(pswpin + 1);
        assertThat(pfns).hasSize(PROCS);
        assertThat(swap.count(entry)).isZero();
        for (int p = 0; p < PROCS; p++) {
            assertThat(tasks.get(p).mm().swapEnts).isEqualTo(swapEntsBefore[p] + swappedOthers(p));
        }

        // ksmd finds the four equal pages again and merges them into a new KSM page
        long scans = m.ksm().stats().fullScans();
        untilFullScans(scans + 2);
        Ksm.Stats again = m.ksm().stats();
        assertThat(again.pagesShared()).isEqualTo(1);
        assertThat(again.pagesSharing()).isEqualTo(PROCS - 1);
        int kpfn2 = Pte.pfn(pte(0));
        assertThat(k.frames.test(kpfn2, PageFrames.PG_KSM)).isTrue();
        for (int p = 0; p < PROCS; p++) {
            assertThat(Pte.pfn(pte(p))).isEqualTo(kpfn2);
            assertThat(m.load(tasks.get(p), bases.get(p))).isEqualTo(SAME);
        }
        m.debugChecks().check("merged again");
    }

    /** Swap entries of process {@code p} other than its first page (the pages reclaim took with the KSM page). */
    private int swappedOthers(int p) {
        int n = 0;
        for (int i = 1; i < PAGES; i++) {
            n += Pte.isSwap(k.lookupLeaf(tasks.get(p).mm(), bases.get(p) + i * PAGE)) ? 1 : 0;
        }
        return n;
    }

    @Test
    void aWriteAfterTheSwapIn_changesOnlyTheWritersCopy() {
        populate();
        untilFullScans(2);
        reclaimFirst(Pte.pfn(pte(0)));
        m.store(tasks.get(2), bases.get(2), 5);
        for (int p = 0; p < PROCS; p++) {
            assertThat(m.load(tasks.get(p), bases.get(p))).isEqualTo(p == 2 ? 5 : SAME);
        }
        m.debugChecks().check("after the write");
    }

    /**
     * A fork child shares its parent's anon_vma: after the swap-out, the page the parent reads in
     * is the child's too (ksm_might_need_to_copy() keeps it: same anon_vma, same index), mapped
     * read-only while both map it; an unrelated process gets a copy.
     */
    @Test
    void aForkChild_mapsThePageItsParentReadIn_andAnUnrelatedProcessACopy() {
        populate();
        untilFullScans(2);
        int kpfn = Pte.pfn(pte(0));
        Task child = m.fork(procs.get(0), 0).threads().get(0);
        assertThat(k.frames.mapcount(kpfn)).isEqualTo(PROCS + 1);
        reclaimFirst(kpfn);
        long entry = pte(0);
        assertThat(swap.count(entry)).isEqualTo(PROCS + 1);
        assertThat(k.lookupLeaf(child.mm(), bases.get(0))).isEqualTo(entry);
        assertThat(m.load(tasks.get(0), bases.get(0))).isEqualTo(SAME);
        assertThat(m.load(child, bases.get(0))).isEqualTo(SAME);
        assertThat(m.load(tasks.get(1), bases.get(1))).isEqualTo(SAME);
        int parentPfn = Pte.pfn(pte(0));
        long childPte = k.lookupLeaf(child.mm(), bases.get(0));
        assertThat(Pte.pfn(childPte)).isEqualTo(parentPfn);
        assertThat(Pte.writable(childPte)).isFalse();
        assertThat(k.frames.mapcount(parentPfn)).isEqualTo(2);
        assertThat(Pte.pfn(pte(1))).isNotEqualTo(parentPfn);
        m.debugChecks().check("parent, child and an unrelated process swapped in");
    }

    @Test
    void anOrdinaryPageReclaimed_leavesItsFrameWithoutContents() {
        populate();
        // before ksmd runs: page 1 of process 0 is an ordinary anonymous page holding unique data
        int pfn = Pte.pfn(k.lookupLeaf(tasks.get(0).mm(), bases.get(0) + PAGE));
        assertThat(k.contents.has(pfn)).isTrue();
        reclaimFirst(pfn);
        assertThat(Pte.isSwap(k.lookupLeaf(tasks.get(0).mm(), bases.get(0) + PAGE))).isTrue();
        assertThat(k.frames.refcount(pfn)).isZero();
        assertThat(k.contents.has(pfn)).as("a freed frame holds no contents").isFalse();
        assertThat(m.load(tasks.get(0), bases.get(0) + PAGE)).isEqualTo(1000 + 1);
    }
}
