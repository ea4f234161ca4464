package io.vmsim.core.swap;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.filemap.StorageCosts;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

/**
 * The swap-in fault ({@code do_swap_page()} in {@code mm/memory.c}). A page still in the swap
 * cache is mapped again (a minor fault); otherwise the page is read from its slot (a major
 * fault: {@code pgmajfault}, {@code pswpin}, the device latency) and the shadow entry left in
 * the slot at eviction goes back to the reclaim policy ({@code workingset_refault()}). No swap
 * readahead: one page per fault. The page is mapped writable only when no other entry still
 * refers to the slot; otherwise it stays in the swap cache for them and is mapped read-only.
 *
 * <p>The page read in stays in the swap cache, keeping its slot, as Linux's does: it is clean,
 * so evicting it again writes nothing ({@code pageout()} is skipped for a clean swap-cache page;
 * {@code pswpout} does not move). The slot is given up at once only where
 * {@code should_try_to_free_swap()} says so (swap more than half full, mlocked, or a write
 * fault by the page's only user). A later write through a writable PTE dirties the page, which
 * is then written to the same slot when evicted; a write fault on it ({@code do_wp_page()})
 * frees the slot ({@code folio_free_swap()} in {@code wp_can_reuse_anon_folio()}).
 */
public final class SwapIn {
    private final Kernel k;
    private final PageFrames frames;
    private final SwapSpace swap;
    private final StorageCosts cost;

    public SwapIn(Kernel kernel, SwapSpace swap, StorageCosts cost) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.swap = swap;
        this.cost = cost;
    }

    /** Handles a fault on swap entry {@code ptes[i]} at {@code va}. */
    public void handle(Task task, Vma vma, long va, boolean write, long[] ptes, int i) {
        Mm mm = task.mm();
        long entry = Pte.swapSlot(ptes[i]);
        // a write-protected page of a userfaultfd area swapped out (pte_swp_uffd_wp())
        boolean uffdWp = (ptes[i] & Pte.UFFD_WP) != 0;
        int pfn = swap.lookup(entry);
        if (pfn >= 0 && needsCopy(pfn, vma, va)) {
            copySwapCachePage(task, vma, va, pfn, entry, write, ptes, i, uffdWp);
            return;
        }
        if (pfn >= 0) {
            frames.addMapcount(pfn, 1);
            frames.addRefcount(pfn, 1);
        } else {
            k.hooks.beforeUserAlloc(mm, 1, task.cpu());
            pfn = k.allocPagesMpol(Gfp.GFP_HIGHUSER_MOVABLE, 0, task.cpu(), k.allocationNode(task, vma, va));
            if (pfn < 0) {
                throw new WorkloadException(String.format("out of memory: %s (pid %d) swapping in 0x%x; reclaim made no "
                        + "progress and the OOM killer found nothing to kill", task.comm(), task.pid(), va));
            }
            if (Pte.swapSlot(ptes[i]) != entry) {
                throw new IllegalStateException("swap entry at 0x" + Long.toHexString(va) + " changed during allocation");
            }
            k.vmstat.count(VmEvent.PGMAJFAULT);
            k.vmstat.count(VmEvent.PSWPIN);
            k.vmstat.add(VmEvent.PGPGIN, 4);
            k.clock.advance(cost.requestPs(1));
            frames.setMapcount(pfn, 1);
            frames.setRefcount(pfn, 1);
            long shadow = swap.shadow(entry);
            boolean evictable = k.anonEvictable && !vma.has(VmaFlags.VM_LOCKED);
            k.newAnonFolio(pfn, 0, vma, va, true, evictable ? shadow : Kernel.NO_SHADOW, swap.shadowDomain(entry));
            swap.addToCache(pfn, entry); // swapin_readahead() reads into the swap cache
        }
        // writable only if no other PTE maps the page or still holds the slot (do_swap_page()'s exclusivity)
        boolean exclusive = swap.count(entry) == 1 && frames.mapcount(pfn) == 1;
        swap.put(entry); // swap_free(): the page stays in the swap cache, holding the slot
        if (shouldTryToFreeSwap(vma, pfn, write, exclusive)) {
            swap.freeSwap(pfn); // folio_free_swap(): only if no entry names the slot any more
        }
        mm.swapEnts--;
        mm.rssAnon++;
        long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED;
        if (exclusive && vma.has(VmaFlags.VM_WRITE) && !(uffdWp && vma.has(VmaFlags.VM_UFFD_WP))) {
            bits |= Pte.RW | (write ? Pte.DIRTY : 0);
        }
        // do_swap_page() (mm/memory.c): pte_mkuffd_wp() when the swap PTE carried the bit, and
        // no pte_mkwrite() while userfaultfd_pte_wp(); a write then retries into the WP fault
        if (uffdWp) {
            bits |= Pte.UFFD_WP;
        }
        // a write to a read-only mapping of a shared slot's page retries into a copy-on-write fault
        ptes[i] = Pte.make(pfn, bits);
    }

    /**
     * {@code ksm_might_need_to_copy()} (mm/ksm.c, Linux 6.18): the swap cache's page belongs to
     * another anon_vma, or to another index, than the faulting area and address. Only a KSM page
     * swapped out gives a slot to unrelated processes (fork shares the anon_vma): the first of
     * them to fault reads the page in for its own anon_vma, and each other one gets a copy.
     */
    private boolean needsCopy(int pfn, Vma vma, long va) {
        k.anonVmaPrepare(vma);
        return frames.mapping(pfn) != vma.anonVma().id() || (frames.index(pfn) & 0xffffffffL) != vma.linearIndex(va);
    }

    /**
     * {@code do_swap_page()} with the copy {@code ksm_might_need_to_copy()} made: a new page,
     * exclusive to this mapping (so writable in a writable area), holding what the swap cache's
     * page holds; this PTE's reference to the slot goes ({@code swap_free()}), the swap cache's page
     * stays for the other entries (or goes with the slot if this was the last).
     */
    private void copySwapCachePage(Task task, Vma vma, long va, int src, long entry, boolean write, long[] ptes, int i,
                                   boolean uffdWp) {
        Mm mm = task.mm();
        k.hooks.beforeUserAlloc(mm, 1, task.cpu());
        int pfn = k.allocator.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, task.cpu(), k.allocationNode(task, vma, va));
        if (pfn < 0) {
            throw new WorkloadException(String.format("out of memory: %s (pid %d) copying a swapped-in page at 0x%x",
                    task.comm(), task.pid(), va));
        }
        if (Pte.swapSlot(ptes[i]) != entry || swap.lookup(entry) != src) {
            throw new IllegalStateException("swap entry at 0x" + Long.toHexString(va) + " changed during allocation");
        }
        k.clock.advance(k.cost.copy4kPs); // copy_mc_user_highpage()
        frames.setMapcount(pfn, 1);
        frames.setRefcount(pfn, 1);
        k.newAnonFolio(pfn, 0, vma, va);
        k.contents.set(pfn, k.contents.get(src));
        k.hooks.swapEntryFreed(entry); // swap_free(); the last entry's slot takes an unmapped cache page with it
        mm.swapEnts--;
        mm.rssAnon++;
        long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED;
        if (vma.has(VmaFlags.VM_WRITE) && !(uffdWp && vma.has(VmaFlags.VM_UFFD_WP))) {
            bits |= Pte.RW | (write ? Pte.DIRTY : 0);
        }
        ptes[i] = Pte.make(pfn, bits | (uffdWp ? Pte.UFFD_WP : 0));
    }

    /**
     * {@code should_try_to_free_swap()} (mm/memory.c, Linux 6.x): give up the slot when swap is
     * more than half full ({@code mem_cgroup_swap_full()}, which without a memcg swap limit is
     * {@code vm_swap_full()}), when the area or the page is mlocked, or on a write fault to a
     * page this mapping alone uses (it is about to be dirtied, so the copy in the slot is stale).
     * Otherwise a clean page keeps its slot and can be reclaimed again without writing.
     */
    private boolean shouldTryToFreeSwap(Vma vma, int pfn, boolean write, boolean exclusive) {
        if (swap.full() || vma.has(VmaFlags.VM_LOCKED) || frames.test(pfn, PageFrames.PG_MLOCKED)) {
            return true;
        }
        return write && exclusive;
    }
}
