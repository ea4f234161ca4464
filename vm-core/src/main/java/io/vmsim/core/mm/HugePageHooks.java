package io.vmsim.core.mm;

/**
 * What the core's generic paths ask of the huge-page subsystems (THP, issue 5): the deferred
 * split queue and {@code split_huge_page()} ({@code io.vmsim.core.hugepage}), synchronous
 * collapse ({@code io.vmsim.core.khugepaged}) and hugetlbfs ({@code io.vmsim.core.hugetlb}).
 * An interface here, implemented there, so that {@code mm} does not depend on those packages.
 * The defaults do nothing, as a kernel built without {@code CONFIG_TRANSPARENT_HUGEPAGE} and
 * {@code CONFIG_HUGETLBFS}.
 */
public interface HugePageHooks {
    /** Hooks that do nothing. */
    HugePageHooks NONE = new HugePageHooks() {
    };

    /**
     * A PTE mapping of a subpage of the THP headed at {@code head} went away and the folio is
     * still mapped ({@code deferred_split_folio()} from {@code folio_remove_rmap_ptes()}).
     */
    default void partiallyUnmapped(int head) {
    }

    /** The THP headed at {@code head} is being freed: forget it (e.g. drop it from the split queue). */
    default void folioFreed(int head) {
    }

    /**
     * {@code split_huge_page()}: turns the THP holding {@code pfn} into order-0 pages, unmapping
     * its PMD mappings first and freeing subpages no one maps. Cannot fail. Does nothing if
     * {@code pfn} is not part of a THP.
     */
    default void splitFolio(int pfn, int cpu) {
    }

    /**
     * {@code madvise(MADV_COLLAPSE)}: collapses every PMD range of {@code [start, end)} in
     * {@code vma} synchronously. Returns the number of ranges that are now PMD-mapped.
     */
    default int collapse(Mm mm, Vma vma, long start, long end, int cpu) {
        throw new WorkloadException("madvise(MADV_COLLAPSE) needs the THP subsystem");
    }

    /** mmap of a {@code VM_HUGETLB} area: reserve its pages of {@code pageSize} bytes ({@code hugetlb_reserve_pages()}) or throw. */
    default void hugetlbReserve(Mm mm, Vma vma, long pageSize, String comm) {
        throw new WorkloadException("hugetlbfs is not configured");
    }

    /** A fault in a {@code VM_HUGETLB} area ({@code hugetlb_fault()}). */
    default void hugetlbFault(Task task, Vma vma, long va, boolean write) {
        throw new WorkloadException("hugetlbfs is not configured");
    }

    /** The page size of a {@code VM_HUGETLB} area ({@code vma_kernel_pagesize()}). */
    default long hugetlbPageSize(Vma vma) {
        return Kernel.HPAGE_PMD_SIZE;
    }

    /** A {@code VM_HUGETLB} area was split into {@code lower} and {@code upper}: share its pool and reservation. */
    default void hugetlbSplit(Vma lower, Vma upper) {
    }

    /** {@code hugetlb_total_pages()}: base pages held by every hugetlbfs pool, free or in use. */
    default long hugetlbTotalPages() {
        return 0;
    }

    /** Unmaps {@code [start, end)} of a {@code VM_HUGETLB} area and gives pages and reservations back. */
    default void hugetlbUnmap(Mm mm, Vma vma, long start, long end, int cpu) {
    }

    /**
     * userfaultfd (issue 12): {@code hugetlb_mfill_atomic_pte()}: maps a new huge page at
     * {@code haddr} of hugetlb area {@code vma} (UFFDIO_COPY or UFFDIO_ZEROPAGE-like fill), taking
     * it from the area's reservation, with the PTE bits {@code bits} beyond present and huge.
     * Returns its first PFN, or {@code -EEXIST} (17) if a page is mapped there, {@code -ENOMEM}
     * (12) if the pool has none left for the area.
     */
    default int hugetlbInstall(Mm mm, Vma vma, long haddr, long bits, int cpu) {
        return -12;
    }
}
