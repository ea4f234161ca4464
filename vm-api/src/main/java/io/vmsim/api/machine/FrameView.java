package io.vmsim.api.machine;

/**
 * A read-only view of physical frames, indexed by page-frame number (PFN, {@code 0 ..
 * nrFrames()-1}). This is the simulator's {@code struct page}: policies read a frame's state
 * through it and never see the arrays behind it.
 */
public interface FrameView {
    /** Number of frames of simulated physical memory. */
    int nrFrames();

    /** The NUMA node that holds the frame. */
    int nodeOf(int pfn);

    /** True if the frame is free in the buddy allocator (or on a per-CPU list). */
    boolean isFree(int pfn);

    /** Page reference count ({@code page_count()}). */
    int refcount(int pfn);

    /** Number of page-table entries that map the frame ({@code page_mapcount()}). */
    int mapcount(int pfn);

    /** True for an anonymous page (swap-backed); false for a page-cache page or a kernel page. */
    boolean isAnon(int pfn);

    /** True for a page-cache page of a file. */
    boolean isFile(int pfn);

    /** True if the frame is the head of a compound (huge) page. */
    boolean isHead(int pfn);

    /** True if the page is dirty ({@code PG_dirty}). */
    boolean isDirty(int pfn);

    /** True if the page is mlocked or otherwise unevictable. */
    boolean isUnevictable(int pfn);

    /**
     * A stable identity of the logical page held by the frame: for an anonymous page its
     * virtual page number within the owning address space, for a file page the file id and
     * page index. Reclaim policies use it to recognise a page that returns after eviction.
     */
    long pageKey(int pfn);
}
