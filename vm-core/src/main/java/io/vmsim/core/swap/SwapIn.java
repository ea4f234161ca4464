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
        long entry = ptes[i];
        int pfn = swap.lookup(entry);
        if (pfn >= 0) {
            frames.mapcount[pfn]++;
            frames.refcount[pfn]++;
        } else {
            k.hooks.beforeUserAlloc(mm, 1, task.cpu());
            pfn = k.allocator.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, task.cpu(), k.allocationNode(task, vma, va));
            if (pfn < 0) {
                throw new WorkloadException(String.format("out of memory: %s (pid %d) swapping in 0x%x; reclaim made no "
                        + "progress and the OOM killer found nothing to kill", task.comm(), task.pid(), va));
            }
            if (ptes[i] != entry) {
                throw new IllegalStateException("swap entry at 0x" + Long.toHexString(va) + " changed during allocation");
            }
            k.vmstat.count(VmEvent.PGMAJFAULT);
            k.vmstat.count(VmEvent.PSWPIN);
            k.vmstat.add(VmEvent.PGPGIN, 4);
            k.clock.advance(cost.requestPs(1));
            frames.mapcount[pfn] = 1;
            frames.refcount[pfn] = 1;
            long shadow = swap.shadow(entry);
            boolean evictable = k.anonEvictable && !vma.has(VmaFlags.VM_LOCKED);
            k.newAnonFolio(pfn, 0, vma, va, true, evictable ? shadow : Kernel.NO_SHADOW);
            if (swap.count(entry) > 1) {
                swap.addToCache(pfn, entry);
            }
        }
        // writable only if no other PTE maps the page or still holds the slot (do_swap_page()'s exclusivity)
        boolean exclusive = swap.count(entry) == 1 && frames.mapcount[pfn] == 1;
        swap.put(entry);
        mm.swapEnts--;
        mm.rssAnon++;
        long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED;
        if (exclusive && vma.has(VmaFlags.VM_WRITE)) {
            bits |= Pte.RW | (write ? Pte.DIRTY : 0);
        }
        // a write to a read-only mapping of a shared slot's page retries into a copy-on-write fault
        ptes[i] = Pte.make(pfn, bits);
    }
}
