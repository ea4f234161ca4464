package io.vmsim.core.mm;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.pgtable.Pte;

/**
 * {@code mremap()} ({@code mm/mremap.c}, Linux 6.18): resizes or moves the area at {@code addr}.
 *
 * <ul>
 *   <li>Arguments ({@code check_mremap_params()}): an unknown flag, an unaligned {@code addr},
 *       a new length of 0, {@code MREMAP_FIXED} or {@code MREMAP_DONTUNMAP} without
 *       {@code MREMAP_MAYMOVE}, {@code MREMAP_DONTUNMAP} with a change of size, or a fixed
 *       target that is unaligned or overlaps the old range are EINVAL. Lengths are rounded up to
 *       pages.</li>
 *   <li>The old range must lie in one area: no area at {@code addr} is EFAULT, a range running
 *       past its end EFAULT ({@code vma_to_resize()}/{@code resize_is_valid()}); growing a
 *       {@code VM_DONTEXPAND} area (hugetlb) EFAULT.</li>
 *   <li>Shrinking unmaps the tail ({@code shrink_vma()}): same address, the tail's pages freed and
 *       its charge to {@code Committed_AS} returned.</li>
 *   <li>Growing, when the old range ends the area and the space after it is free
 *       ({@code vma_expandable()}): the area is extended in place and merged with the next one
 *       where it now touches it ({@code vma_merge_extend()}); the growth is charged to
 *       {@code Committed_AS} first for an accounted area ({@code vrm_charge()} ->
 *       {@code security_vm_enough_memory_mm()}, ENOMEM when the overcommit policy refuses).</li>
 *   <li>Otherwise, with {@code MREMAP_MAYMOVE}, the area moves ({@code move_vma()}): to a new
 *       address chosen as mmap chooses one (2 MiB-aligned when the length is a multiple of 2 MiB,
 *       as {@code __get_unmapped_area()} does for anonymous memory) or to the fixed target, which
 *       is unmapped first ({@code mremap_to()}). The page tables move with it
 *       ({@code move_page_tables()}): a huge PMD whose 2 MiB lie wholly in the range at both ends
 *       moves whole with its deposited table ({@code move_huge_pmd()}), a PTE table covering a
 *       whole aligned 2 MiB at both ends moves as one entry ({@code move_normal_pmd()}), and
 *       otherwise each PTE moves, a huge PMD being split first. No page is copied and no fault
 *       follows: the pages, their accessed and dirty bits and swap entries move as they are. The
 *       old range is unmapped, except with {@code MREMAP_DONTUNMAP}, which leaves it mapped and
 *       empty (and unlocked). Without {@code MREMAP_MAYMOVE} it is ENOMEM.</li>
 * </ul>
 * Not modelled: an old length of 0 (Linux duplicates a shared mapping; vmsim refuses it with
 * EINVAL, as Linux does for private ones), resizing hugetlb areas (EINVAL here), and
 * {@code mm->locked_vm}: populating the growth of a locked area is the caller's job, as for
 * mlock.
 */
public final class Mremap {
    private final Kernel k;
    private final MmSyscalls sys;

    Mremap(Kernel kernel, MmSyscalls sys) {
        this.k = kernel;
        this.sys = sys;
    }

    /** See the class comment; {@code newAddr} is the target of {@code fixed}. Returns the area's address afterwards. */
    public long mremap(Mm mm, long addr, long oldLen, long newLen, String flags, long newAddr, int cpu) {
        boolean maymove = false;
        boolean fixed = false;
        boolean dontunmap = false;
        for (String f : flags.split("\\|")) {
            switch (f) {
                case "maymove" -> maymove = true;
                case "fixed" -> fixed = true;
                case "dontunmap" -> dontunmap = true;
                case "" -> { }
                default -> throw einval(addr, "unknown flag " + f + "; expected maymove, fixed, dontunmap");
            }
        }
        if ((addr & 4095) != 0) {
            throw einval(addr, "address not page-aligned");
        }
        if ((fixed || dontunmap) && !maymove) {
            throw einval(addr, "MREMAP_FIXED and MREMAP_DONTUNMAP need MREMAP_MAYMOVE");
        }
        if (oldLen < 0 || newLen <= 0) {
            throw einval(addr, "new length " + newLen + ", old length " + oldLen);
        }
        oldLen = (oldLen + 4095) & -4096L;
        newLen = (newLen + 4095) & -4096L;
        if (dontunmap && oldLen != newLen) {
            throw einval(addr, "MREMAP_DONTUNMAP cannot resize");
        }
        if (fixed && ((newAddr & 4095) != 0 || (newAddr < addr + oldLen && addr < newAddr + newLen))) {
            throw einval(addr, String.format("target 0x%x unaligned or overlapping the old range", newAddr));
        }
        Vma vma = mm.findVma(addr);
        if (vma == null) {
            throw new SyscallError("EFAULT", String.format("mremap(0x%x): no area there", addr));
        }
        if (oldLen == 0 || vma.has(VmaFlags.VM_HUGETLB)) {
            throw einval(addr, oldLen == 0 ? "an old length of 0 duplicates shared mappings only"
                    : "hugetlb areas are not resized by vmsim");
        }
        if (oldLen > vma.end - addr) {
            throw new SyscallError("EFAULT", String.format("mremap(0x%x, %d): the old range runs past its area %s", addr,
                    oldLen, vma));
        }
        if (newLen > oldLen && vma.has(VmaFlags.VM_DONTEXPAND)) {
            throw new SyscallError("EFAULT", "mremap: area " + vma + " may not grow (VM_DONTEXPAND)");
        }
        if (fixed || dontunmap) {
            // mremap_to(): the target is unmapped, a shrink happens at the old place first
            if (fixed) {
                sys.munmap(mm, newAddr, newLen, cpu);
            }
            if (oldLen > newLen) {
                sys.munmap(mm, addr + newLen, oldLen - newLen, cpu);
                oldLen = newLen;
            }
            return move(mm, mm.findVma(addr), addr, oldLen, newLen, fixed ? newAddr : 0, dontunmap, cpu);
        }
        if (newLen <= oldLen) {
            if (newLen < oldLen) {
                sys.munmap(mm, addr + newLen, oldLen - newLen, cpu); // shrink_vma()
            }
            return addr;
        }
        long delta = newLen - oldLen;
        if (addr + oldLen == vma.end && expandable(mm, vma, delta)) {
            checkIndexRange(vma, vma.end - vma.start + delta);
            charge(mm, vma, delta >>> 12);
            vma.end += delta;
            mm.totalVm += delta >>> 12;
            sys.mergeRange(mm, vma.start, vma.end);
            return addr;
        }
        if (!maymove) {
            throw new SyscallError("ENOMEM", String.format("mremap(0x%x, %d, %d): no room to grow in place and no "
                    + "MREMAP_MAYMOVE", addr, oldLen, newLen));
        }
        return move(mm, vma, addr, oldLen, newLen, 0, false, cpu);
    }

    /** {@code vma_expandable()}: nothing is mapped in the {@code delta} bytes after the area. */
    private static boolean expandable(Mm mm, Vma vma, long delta) {
        java.util.Map.Entry<Long, Vma> next = mm.vmas.higherEntry(vma.start);
        return next == null || next.getKey() >= vma.end + delta;
    }

    private static void checkIndexRange(Vma vma, long length) {
        if (vma.pgoff + (length >>> 12) > 1L << 32 || length > MmSyscalls.MAX_ANON_MAPPING) {
            throw new IllegalArgumentException("mremap: an area of " + length + " bytes would pass the simulator's "
                    + "limit of 8 TiB per mapping (page indices are 31 bits) (EINVAL)");
        }
    }

    /** {@code vrm_charge()}: an accounted area's growth is charged to Committed_AS (may be refused: ENOMEM). */
    private void charge(Mm mm, Vma vma, long pages) {
        if (vma.has(VmaFlags.VM_ACCOUNT) && pages > 0) {
            k.hooks.accountMapping(mm, pages);
            mm.committedPages += pages;
        }
    }

    /**
     * {@code move_vma()}: a new area at {@code target} (0: the kernel picks) takes over the
     * pages of {@code [addr, addr+oldLen)}; the old range is unmapped unless {@code dontunmap}.
     */
    private long move(Mm mm, Vma vma, long addr, long oldLen, long newLen, long target, boolean dontunmap, int cpu) {
        checkIndexRange(vma, newLen);
        // prep_move_vma(): KSM pages of the old range are broken first (ksm_madvise(MADV_UNMERGEABLE)),
        // the area's flags left as they were (KSM, issue 11)
        k.ksm.unmerge(mm, addr, addr + oldLen, cpu);
        long start = target;
        if (start == 0) {
            long align = (newLen & (Kernel.HPAGE_PMD_SIZE - 1)) == 0 ? Kernel.HPAGE_PMD_SIZE : 4096;
            start = (mm.mmapBase - newLen) & -align;
            mm.mmapBase = start - Kernel.HPAGE_PMD_SIZE; // the gap mmap leaves below an area too
        }
        // the old reservation moves with the area; the growth (all of it with DONTUNMAP) is new
        charge(mm, vma, (dontunmap ? newLen : newLen - oldLen) >>> 12);
        Vma old = sys.isolate(mm, vma, addr, addr + oldLen);
        Vma moved = new Vma(mm, start, start + newLen, old.flags, old.pgoff, old.anonVma);
        moved.file = old.file;
        moved.policy = old.policy; // copy_vma(): vma_dup_policy() (mempolicy, issue 10)
        moved.uffdCtx = old.uffdCtx; // vm_area_dup() (userfaultfd, issue 12)
        moved.anonVmaPrepared = old.anonVmaPrepared;
        old.anonVma.link(moved);
        movePageTables(mm, addr, start, oldLen, cpu);
        k.flushTlbRange(mm, addr, addr + oldLen);
        if (dontunmap) {
            old.flags &= ~VmaFlags.VM_LOCKED; // the old area stays, empty and unlocked
            k.chargeVma(mm, moved); // copy_vma(): vm_area_dup() and anon_vma_clone()
            k.chargeAvcs(mm, moved, old.avcs);
        } else {
            // copy_vma() made the new area's objects and the unmap freed the old one's: the
            // same objects, which vmsim hands over
            k.moveVmaObjects(old, moved);
            mm.vmas.remove(old.start);
            old.anonVma.unlink(old);
            // not unaccounted: its charge now belongs to the moved area (move_vma() hides
            // VM_ACCOUNT from the unmap of the old range)
            mm.totalVm -= oldLen >>> 12;
        }
        mm.vmas.put(start, moved);
        mm.totalVm += newLen >>> 12;
        k.freePgtables(mm, addr, addr + oldLen, cpu);
        k.uffd.remapped(mm, addr, start, oldLen, newLen); // mremap_userfaultfd_prep()/_complete() (userfaultfd, issue 12)
        sys.mergeRange(mm, start, start + newLen);
        return start;
    }

    /** {@code move_page_tables()}: moves the entries of {@code [from, from+len)} to {@code [to, to+len)}. */
    private void movePageTables(Mm mm, long from, long to, long len, int cpu) {
        int node = k.frames.nodeOf(0);
        long mask = Kernel.HPAGE_PMD_SIZE - 1;
        for (long off = 0; off < len; ) {
            long old = from + off;
            long nw = to + off;
            // get_extent(): up to the next PMD boundary of either address
            long extent = Math.min(len - off, Math.min(Kernel.HPAGE_PMD_SIZE - (old & mask), Kernel.HPAGE_PMD_SIZE - (nw & mask)));
            off += extent;
            int srcPmdTable = k.walkNoAlloc(mm, old, 2);
            if (srcPmdTable < 0) {
                continue;
            }
            long[] srcPmds = k.tables.table(srcPmdTable);
            int si = Pte.index(old, 2);
            long pmd = srcPmds[si];
            if (pmd == 0) {
                continue;
            }
            if (Pte.huge(pmd)) {
                if (extent == Kernel.HPAGE_PMD_SIZE) {
                    // move_huge_pmd(): the entry and its deposited table move together
                    int dstPmdTable = k.walkAlloc(mm, nw, 2, cpu, node);
                    k.tables.table(dstPmdTable)[Pte.index(nw, 2)] = pmd;
                    srcPmds[si] = 0;
                    k.deposit(mm, dstPmdTable, k.withdraw(mm, srcPmdTable));
                    continue;
                }
                k.splitHugePmd(mm, srcPmdTable, si, old & ~mask);
                pmd = srcPmds[si];
            }
            if (extent == Kernel.HPAGE_PMD_SIZE) {
                int dstPmdTable = k.walkAlloc(mm, nw, 2, cpu, node);
                long[] dstPmds = k.tables.table(dstPmdTable);
                int di = Pte.index(nw, 2);
                if (dstPmds[di] == 0) {
                    // move_normal_pmd(): the whole PTE table changes hands
                    dstPmds[di] = pmd;
                    srcPmds[si] = 0;
                    continue;
                }
            }
            long[] src = k.tables.table(Pte.pfn(pmd));
            long[] dst = k.tables.table(k.walkAlloc(mm, nw, 1, cpu, node));
            for (long a = 0; a < extent; a += 4096) {
                int i = Pte.index(old + a, 1);
                long e = src[i];
                if (e != 0) {
                    // move_ptes(): the entry moves as it is (present page, zero page or swap entry)
                    dst[Pte.index(nw + a, 1)] = e;
                    src[i] = 0;
                }
            }
        }
    }

    private static IllegalArgumentException einval(long addr, String why) {
        return new IllegalArgumentException(String.format("mremap(0x%x): %s (EINVAL)", addr, why));
    }
}
