package io.vmsim.api.policy;

import io.vmsim.api.PageSize;
import io.vmsim.api.machine.VmaView;

/**
 * Decides transparent huge pages: at an anonymous fault, which page size to try and how hard
 * the allocation may try; for khugepaged, whether a PMD range should be collapsed. The core
 * does the allocating, zeroing, mapping, compaction and collapse; it always falls back to
 * 4 KiB pages when a huge allocation fails (the first design rule of {@code mm/huge_memory.c}).
 */
public interface HugePagePolicy extends Policy {

    /** How hard a huge-page allocation may try; mirrors the GFP masks of {@code vma_thp_gfp_mask()}. */
    enum Effort {
        /** Take a free huge page if one is there; never reclaim, compact or wake a daemon ({@code GFP_TRANSHUGE_LIGHT}). */
        LIGHT,
        /** As LIGHT, but wake kswapd and kcompactd to make huge pages for later ({@code __GFP_KSWAPD_RECLAIM}). */
        WAKE_DAEMONS,
        /** Stall in direct reclaim and compaction, giving up early ({@code GFP_TRANSHUGE | __GFP_NORETRY}). */
        DIRECT_NORETRY,
        /** Stall in direct reclaim and compaction ({@code GFP_TRANSHUGE}). */
        DIRECT
    }

    /**
     * The answer to a fault: the page size to try and the effort.
     *
     * @param size   {@link PageSize#SIZE_4K} for no huge page, {@link PageSize#SIZE_2M} for a THP
     * @param effort how hard the allocation may try (ignored for 4K)
     */
    record FaultDecision(PageSize size, Effort effort) {
        /** Use a base page. */
        public static final FaultDecision BASE = new FaultDecision(PageSize.SIZE_4K, Effort.LIGHT);
    }

    /**
     * A fault on an anonymous area where a huge page would fit (the aligned PMD range lies
     * inside the VMA and is not yet populated).
     *
     * @param vma      the area
     * @param address  the faulting address
     * @param write    true for a write fault
     * @param enabled  {@code mm.transparent_hugepage.enabled}: always, madvise or never
     * @param defrag   {@code mm.transparent_hugepage.defrag}: always, defer, defer+madvise, madvise or never
     */
    FaultDecision onFault(VmaView vma, long address, boolean write, String enabled, String defrag);

    /**
     * Whether khugepaged should collapse an aligned PMD range of 512 PTEs.
     *
     * @param vma     the area
     * @param address the start of the PMD range
     * @param none    entries that are empty (or map the zero page)
     * @param swap    entries that are swapped out
     * @param shared  entries that map a page mapped more than once
     * @param young   present entries whose accessed bit was set
     */
    default boolean shouldCollapse(VmaView vma, long address, int none, int swap, int shared, int young) {
        return false;
    }

    /**
     * Whether khugepaged should demote a PMD-mapped huge page: split it into 512 base pages
     * ({@code split_huge_page()}, which cannot fail), so that reclaim can take its unused parts
     * and its use can be measured page by page again. Asked on each khugepaged visit, which tests
     * and clears the PMD's accessed bit (flushing the TLB entry, as x86's
     * {@code pmdp_clear_flush_young()} does).
     *
     * @param vma       the area
     * @param address   the start of the huge page
     * @param idleScans consecutive visits that found the accessed bit clear (0 if it was set)
     */
    default boolean shouldSplit(VmaView vma, long address, int idleScans) {
        return false;
    }
}
