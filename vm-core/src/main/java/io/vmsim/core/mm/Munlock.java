package io.vmsim.core.mm;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

/**
 * {@code munlock()} ({@code mm/mlock.c}, Linux 6.18): clears {@code VM_LOCKED} from the areas of
 * the range, splitting them at its edges and merging them again with their neighbours
 * ({@code apply_vma_lock_flags()} -> {@code mlock_fixup()} -> {@code vma_modify_flags()}), and
 * munlocks every page mapped there ({@code mlock_vma_pages_range()} -> {@code munlock_folio()}).
 *
 * <p>{@code __munlock_folio()}: a page loses PG_mlocked ({@code unevictable_pgs_munlocked}) and,
 * now evictable, leaves the unevictable list for the LRU ({@code unevictable_pgs_rescued}); the
 * reclaim policy receives it through {@code pageAddedUnreferenced}, the call for a page that
 * enters its lists without a use. Linux keeps a per-folio {@code mlock_count} so that a page
 * still mapped by another locked area stays mlocked; vmsim asks the reverse map instead.
 * vmsim keeps anonymous pages off the LRU when there is no swap ({@link Kernel#anonEvictable}):
 * such a page stays unevictable, but is counted rescued as Linux counts it (Linux puts it on
 * the anonymous LRU, which reclaim then does not scan).
 */
public final class Munlock {
    private final Kernel k;
    private final MmSyscalls sys;
    private final Rmap rmap;

    public Munlock(Kernel kernel, MmSyscalls sys) {
        this.k = kernel;
        this.sys = sys;
        this.rmap = new Rmap(kernel);
    }

    /**
     * munlock({@code addr}, {@code length}): the start is rounded down to a page and the length up
     * ({@code do_munlock()}); a range that meets unmapped space fails with ENOMEM after the areas
     * before the hole were unlocked ({@code apply_vma_lock_flags()}).
     */
    public void munlock(Mm mm, long addr, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("munlock: negative length " + length + " (EINVAL)");
        }
        long start = addr & -4096L;
        long end = (addr + length + 4095) & -4096L;
        if (end == start) {
            return;
        }
        long expected = start;
        for (Vma v : MmSyscalls.affected(mm, start, end)) {
            if (v.start > expected) {
                break;
            }
            v = sys.isolate(mm, v, start, end);
            expected = v.end;
            if (!v.has(VmaFlags.VM_LOCKED)) {
                continue;
            }
            v.flags &= ~VmaFlags.VM_LOCKED;
            munlockRange(mm, v);
        }
        sys.mergeRange(mm, start, end);
        if (expected < end) {
            throw new SyscallError("ENOMEM", String.format("munlock(0x%x, %d): [0x%x, 0x%x) is not mapped", addr, length,
                    expected, end));
        }
    }

    /** {@code mlock_pte_range()} with VM_LOCKED cleared: munlocks each page mapped in the area once. */
    private void munlockRange(Mm mm, Vma v) {
        for (long va = v.start; va < v.end; ) {
            long e = k.lookupLeaf(mm, va);
            boolean huge = e != 0 && Pte.huge(e);
            long next = huge ? Math.min(v.end, (va | (Kernel.HPAGE_PMD_SIZE - 1)) + 1) : va + 4096;
            if (e != 0 && Pte.present(e)) {
                int pfn = Pte.pfn(e);
                if (pfn != k.zeroPfn && pfn != k.hugeZeroPfn) {
                    munlockFolio(pfn);
                }
            }
            va = next;
        }
    }

    /** {@code munlock_folio()} / {@code __munlock_folio()} for the folio holding {@code pfn}. */
    void munlockFolio(int pfn) {
        PageFrames f = k.frames;
        int head = f.test(pfn, PageFrames.PG_TAIL | PageFrames.PG_HEAD) ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
        if (!f.test(head, PageFrames.PG_MLOCKED) || stillLocked(head)) {
            return;
        }
        int nr = f.test(head, PageFrames.PG_HEAD) ? Kernel.HPAGE_PMD_NR : 1;
        f.clear(head, PageFrames.PG_MLOCKED);
        k.vmstat.add(VmEvent.UNEVICTABLE_PGS_MUNLOCKED, nr);
        k.vmstat.add(VmEvent.UNEVICTABLE_PGS_RESCUED, nr);
        // a lazy-free page (MADV_FREE, not swap-backed) belongs to the file LRU, swap or not
        boolean anon = f.isAnon(head);
        if (anon && !k.anonEvictable) {
            return; // see the class comment: no swap, so it stays off the LRU
        }
        f.clear(head, PageFrames.PG_UNEVICTABLE);
        f.set(head, PageFrames.PG_LRU);
        k.reclaim.pageAddedUnreferenced(head, anon);
    }

    /** True if an area with VM_LOCKED still maps the folio ({@code folio->mlock_count} above zero). */
    private boolean stillLocked(int head) {
        boolean[] locked = {false};
        rmap.walk(head, (mm, vma, address, table, index, level) -> {
            locked[0] |= vma.has(VmaFlags.VM_LOCKED);
            return !locked[0];
        });
        return locked[0];
    }
}
