package io.vmsim.core.mm;

import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.VmaView;

/** A virtual memory area ({@code struct vm_area_struct}). Mutable by the core only. */
public final class Vma implements VmaView {
    final Mm mm;
    long start;
    long end;
    long flags;
    long pgoff;
    AnonVma anonVma;
    /**
     * True once an anonymous page was made in this area: Linux's {@code vma->anon_vma} is set
     * then ({@code anon_vma_prepare()}), and fork copies the page tables only of such areas.
     */
    boolean anonVmaPrepared;
    /**
     * True if the anon_vma came from the parent at fork: Linux's child VMA then has an
     * anon_vma_chain of more than one entry, and {@code vma_had_uncowed_parents()} (mm/vma.c)
     * keeps an area without anon_vma from merging into it.
     */
    boolean anonVmaFromParent;
    /** reclaim (issue 3): the file this area maps (a page-cache file id), or -1 for anonymous memory. */
    int file = -1;
    /** mempolicy (issue 10): the area's policy ({@code vma->vm_policy}, set by mbind), or null for the task's. */
    io.vmsim.core.mempolicy.Mempolicy policy;
    /**
     * The memory cgroup charged for this area's {@code vm_area_struct} (0: none, the root); -1
     * while a new range is being placed and may still merge into a neighbour instead
     * ({@code vma_merge_new_range()} allocates nothing).
     */
    int vmaMemcg = -1;
    /**
     * The memory cgroup charged for the anon_vma this area's first anonymous fault made
     * ({@code __anon_vma_prepare()}) or fork gave it ({@code anon_vma_fork()}), -1 if it made
     * none. vmsim frees the object with the area (Linux frees it when its last area and page go).
     */
    int anonVmaMemcg = -1;
    /** The area's {@code anon_vma_chain} objects (one per anon_vma it is linked to), and their memory cgroup. */
    int avcs;
    int avcMemcg;
    /**
     * userfaultfd (issue 12): the context this area is registered with ({@code vm_userfaultfd_ctx}),
     * an {@code io.vmsim.core.uffd.Userfaultfd}, or null. Typed as Object so that {@code mm} does
     * not depend on that package; the area's {@code VM_UFFD_*} flags say for which faults.
     */
    Object uffdCtx;

    Vma(Mm mm, long start, long end, long flags, long pgoff, AnonVma anonVma) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
        this.anonVma = anonVma;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long end() {
        return end;
    }

    @Override
    public long flags() {
        return flags;
    }

    @Override
    public long pgoff() {
        return pgoff;
    }

    public Mm mm() {
        return mm;
    }

    /** The page-cache file id this area maps, or -1 if anonymous. */
    public int file() {
        return file;
    }

    /** The area's memory policy, or null: allocations then follow the task's ({@code get_vma_policy()}). */
    public io.vmsim.core.mempolicy.Mempolicy policy() {
        return policy;
    }

    /** userfaultfd (issue 12): the context the area is registered with, or null. */
    public Object userfaultfdCtx() {
        return uffdCtx;
    }

    /**
     * userfaultfd (issue 12): registers the area with {@code ctx} for the faults of
     * {@code uffdFlags} (replacing its {@code VM_UFFD_*} flags {@code mask}), or unregisters it when
     * {@code ctx} is null. The caller splits the area first and merges afterwards.
     */
    public void setUserfaultfd(Object ctx, long uffdFlags, long mask) {
        this.uffdCtx = ctx;
        this.flags = (flags & ~mask) | uffdFlags;
    }

    public AnonVma anonVma() {
        return anonVma;
    }

    /** The linear page index of {@code address} ({@code linear_page_index()}). */
    public long linearIndex(long address) {
        return ((address - start) >>> 12) + pgoff;
    }

    /** The address of linear page index {@code index} in this VMA ({@code vma_address()}), or -1 if outside. */
    public long address(long index) {
        long a = start + ((index - pgoff) << 12);
        return a >= start && a < end ? a : -1;
    }

    /** {@code vma_is_accessible()} (include/linux/mm.h): any of read, write or execute. */
    public boolean accessible() {
        return (flags & (VmaFlags.VM_READ | VmaFlags.VM_WRITE | VmaFlags.VM_EXEC)) != 0;
    }

    public boolean contains(long address) {
        return address >= start && address < end;
    }

    @Override
    public String toString() {
        return String.format("%012x-%012x %s", start, end, VmaFlags.describe(flags));
    }
}
