package io.vmsim.core.filemap;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

/**
 * Page faults in file-backed areas ({@code do_read_fault()}, {@code do_cow_fault()},
 * {@code do_shared_fault()} and {@code wp_page_shared()} in {@code mm/memory.c},
 * {@code filemap_fault()} in {@code mm/filemap.c}). A page-cache hit is a minor fault; a miss
 * is a major fault ({@code pgmajfault}) that reads the page, with readahead, and charges the
 * device latency. A write to a private mapping copies the page into an anonymous page; a write
 * to a shared mapping dirties the page-cache page and may throttle the writer. File areas are
 * mapped with 4 KiB pages only. Swap entries in a private mapping's anonymous copies are
 * handled by the caller.
 */
public final class FileFaults {
    private final Kernel k;
    private final PageFrames frames;
    private final PageCache cache;
    private final boolean[] hit = new boolean[1];
    /** {@code fault_around_pages}: the fault-around window in pages, a power of two; 1 is off. */
    private final int faultAroundPages;

    /**
     * @param faultAroundBytes {@code fault_around_bytes} (debugfs): rounded down to a power of two
     *                         pages, at least one, as {@code fault_around_bytes_set()} does
     */
    public FileFaults(Kernel kernel, PageCache cache, long faultAroundBytes) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.cache = cache;
        long pages = faultAroundBytes >>> 12;
        this.faultAroundPages = pages <= 1 ? 1 : Integer.highestOneBit((int) Math.min(pages, 512));
    }

    /** The fault-around window in pages (1: fault-around is off). */
    public int faultAroundPages() {
        return faultAroundPages;
    }

    /**
     * Handles a fault at {@code va} in file area {@code vma}, whose PTE table is {@code ptes}
     * and entry {@code i} holds {@code pte} (none or present).
     */
    public void handle(Task task, Vma vma, long va, boolean write, long[] ptes, int i) {
        Mm mm = task.mm();
        int cpu = task.cpu();
        long pte = ptes[i];
        boolean shared = vma.has(VmaFlags.VM_SHARED);
        if (pte == 0) {
            long index = vma.linearIndex(va);
            if (!write && faultAroundPages > 1 && faultAround(task, vma, va, ptes, i, false)) {
                return;
            }
            int pfn = cache.faultIn(mm, cpu, vma.file(), index, hit);
            if (!hit[0]) {
                k.vmstat.count(VmEvent.PGMAJFAULT);
                // filemap_fault() dropped the mmap lock for the read (lock_folio_maybe_drop_mmap(),
                // maybe_unlock_mmap_for_io()) and returned VM_FAULT_RETRY; the retried fault
                // (FAULT_FLAG_TRIED, counted major by mm_account_fault()) runs do_read_fault()
                // again, whose do_fault_around() now finds the page read and its read-around
                // neighbours in the page cache (mm/filemap.c, mm/memory.c, Linux 6.18)
                if (!write && faultAroundPages > 1 && faultAround(task, vma, va, ptes, i, true)) {
                    return;
                }
            }
            if (write && !shared) {
                cowFromFile(task, vma, va, ptes, i, pfn);
                return;
            }
            long bits = Pte.PRESENT | Pte.USER | Pte.ACCESSED;
            if (write) {
                bits |= Pte.RW | Pte.DIRTY;
                cache.markDirty(pfn);
            }
            ptes[i] = Pte.make(pfn, bits);
            frames.addMapcount(pfn, 1);
            frames.addRefcount(pfn, 1);
            mm.rssFile++;
            if (vma.has(VmaFlags.VM_LOCKED) && shared) {
                k.mlockPage(pfn);
            }
            if (write) {
                cache.balanceDirtyPages();
            }
            return;
        }
        int old = Pte.pfn(pte);
        if (!write || Pte.writable(pte)) {
            k.flushTlbPage(mm, va); // spurious: a stale TLB entry
            return;
        }
        if (shared) {
            // wp_page_shared(): the first write to a clean shared page dirties it
            ptes[i] = pte | Pte.RW | Pte.DIRTY | Pte.ACCESSED;
            cache.markDirty(old);
            k.flushTlbPage(mm, va);
            cache.balanceDirtyPages();
            return;
        }
        if (frames.test(old, PageFrames.PG_FILE)) {
            cowFromFile(task, vma, va, ptes, i, old);
            return;
        }
        // an anonymous copy shared after fork
        if (k.totalMapcount(old) == 1) {
            ptes[i] = pte | Pte.RW | Pte.DIRTY | Pte.ACCESSED;
            k.vmstat.count(VmEvent.PGREUSE);
            k.flushTlbPage(mm, va);
            return;
        }
        frames.addRefcount(old, 1); // pinned while allocating: reclaim must not take it
        int pfn;
        try {
            pfn = alloc(task, va);
        } finally {
            frames.addRefcount(old, -1);
        }
        k.clock.advance(k.cost.copy4kPs);
        frames.setMapcount(pfn, 1);
        frames.setRefcount(pfn, 1);
        k.newAnonFolio(pfn, 0, vma, va);
        ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.RW | Pte.ACCESSED | Pte.DIRTY);
        k.putAnonPage(old, cpu);
        k.vmstat.count(VmEvent.COW_FAULT);
        k.flushTlbPage(mm, va);
    }

    /**
     * {@code do_read_fault()} -> {@code do_fault_around()} (mm/memory.c, Linux 6.18): before
     * {@code ->fault()}, a read fault maps every page of the window of {@code fault_around_pages}
     * around {@code va} (aligned to the window, clamped to the VMA and to this PTE table) that is
     * already in the page cache and whose PTE is none ({@code filemap_map_pages()}, which takes
     * only uptodate, unlocked pages within EOF: every cached page here but the readahead marker).
     * Each page is mapped read-only as the fault itself would map it, young (x86 does not want
     * old prefaulted PTEs: {@code arch_wants_old_prefaulted_pte()}), with no I/O and no call to
     * the reclaim policy: it is a mapping, not an access. Write faults (do_cow_fault(),
     * do_shared_fault()) never fault around. Returns true if the page at {@code va} was mapped, so
     * the fault is done ({@code VM_FAULT_NOPAGE}); otherwise {@code ->fault()} runs for it.
     * {@code retry}: the retry of a major read fault, after the read ({@code VM_FAULT_RETRY}),
     * whose page-cache miss is already counted.
     */
    private boolean faultAround(Task task, Vma vma, long va, long[] ptes, int i, boolean retry) {
        long nr = faultAroundPages;
        long vmaOff = (va - vma.start()) >>> 12;
        long fromPte = Math.max(i & -nr, i - Math.min(i, vmaOff));
        long toPte = Math.min(Math.min(fromPte + nr, 512), i + ((vma.end() - vma.start()) >>> 12) - vmaOff) - 1;
        long index = vma.linearIndex(va);
        int file = vma.file();
        boolean locked = vma.has(VmaFlags.VM_LOCKED) && vma.has(VmaFlags.VM_SHARED);
        Mm mm = task.mm();
        boolean mapped = false;
        for (long j = fromPte; j <= toPte; j++) {
            if (ptes[(int) j] != 0) {
                continue;
            }
            int pfn = cache.lookupForMapPages(file, index + j - i);
            if (pfn < 0) {
                continue;
            }
            ptes[(int) j] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED);
            frames.addMapcount(pfn, 1);
            frames.addRefcount(pfn, 1);
            mm.rssFile++;
            if (locked) {
                k.mlockPage(pfn);
            }
            if (j == i) {
                mapped = true;
            }
        }
        if (mapped && !retry) { // the retry of a major fault: the read was counted as a miss
            PageCache.FileStats f = cache.file(file);
            f.hits++;
            k.vmstat.count(VmEvent.PAGECACHE_HIT);
        }
        return mapped;
    }

    /** {@code do_cow_fault()}: a private copy of page-cache page {@code src} replaces whatever the PTE held. */
    private void cowFromFile(Task task, Vma vma, long va, long[] ptes, int i, int src) {
        Mm mm = task.mm();
        frames.addRefcount(src, 1); // pinned while allocating
        int pfn;
        try {
            pfn = alloc(task, va);
        } finally {
            frames.addRefcount(src, -1);
        }
        k.clock.advance(k.cost.copy4kPs);
        frames.setMapcount(pfn, 1);
        frames.setRefcount(pfn, 1);
        k.newAnonFolio(pfn, 0, vma, va);
        long old = ptes[i];
        ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.RW | Pte.ACCESSED | Pte.DIRTY);
        mm.rssAnon++;
        if (old != 0 && Pte.present(old)) {
            mm.rssFile--;
            k.putFilePage(src, false);
            k.flushTlbPage(mm, va);
        }
        k.vmstat.count(VmEvent.COW_FAULT);
    }

    private int alloc(Task task, long va) {
        k.hooks.beforeUserAlloc(task.mm(), 1, task.cpu());
        // a private copy is an anonymous page of the area: its policy, else the task's (mempolicy, issue 10)
        int pfn = k.allocPagesMpol(Gfp.GFP_HIGHUSER_MOVABLE, 0, task.cpu(), k.allocationNode(task, task.mm().findVma(va), va));
        if (pfn < 0) {
            throw new WorkloadException(String.format("out of memory: %s (pid %d) faulting at 0x%x; reclaim made no "
                    + "progress and the OOM killer found nothing to kill", task.comm(), task.pid(), va));
        }
        return pfn;
    }
}
