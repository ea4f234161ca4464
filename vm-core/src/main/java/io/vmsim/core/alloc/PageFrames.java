package io.vmsim.core.alloc;

import io.vmsim.api.machine.FrameView;

/**
 * Per-frame state of simulated physical memory: the simulator's {@code struct page}
 * ({@code include/linux/mm_types.h}) laid out as a struct of arrays, eight {@code int}s =
 * 32 bytes per 4 KiB frame and no object per page.
 *
 * <ul>
 *   <li>{@code flags}: the {@code PG_*} bits below.</li>
 *   <li>{@code refcount}: {@code page->_refcount}.</li>
 *   <li>{@code mapcount}: number of PTEs/PMDs mapping the page ({@code page->_mapcount + 1}).</li>
 *   <li>{@code prev}/{@code next}: intrusive list links ({@code page->lru}), used by the buddy free
 *       lists, per-CPU lists, and LRU lists of policies that choose to use them.</li>
 *   <li>{@code mapping}: the owner: an anon_vma id for anonymous pages, a file id for page-cache pages.</li>
 *   <li>{@code index}: page offset within the owner ({@code page->index}).</li>
 *   <li>{@code priv}: {@code page->private}: the buddy order of a free block, the table slot of a
 *       page-table page, or a swap entry.</li>
 * </ul>
 */
public final class PageFrames implements FrameView {
    /** Free in the buddy allocator: the head of a free block ({@code PageBuddy}). */
    public static final int PG_BUDDY = 1;
    /** Head page of a compound page ({@code PG_head}). */
    public static final int PG_HEAD = 1 << 1;
    /** Tail page of a compound page. */
    public static final int PG_TAIL = 1 << 2;
    /** Anonymous page ({@code PageAnon}). */
    public static final int PG_ANON = 1 << 3;
    /** Page-cache page of a file. */
    public static final int PG_FILE = 1 << 4;
    /** On an LRU list of a reclaim policy ({@code PG_lru}). */
    public static final int PG_LRU = 1 << 5;
    /** Dirty ({@code PG_dirty}). */
    public static final int PG_DIRTY = 1 << 6;
    /** Referenced ({@code PG_referenced}). */
    public static final int PG_REFERENCED = 1 << 7;
    /** On the active list ({@code PG_active}). */
    public static final int PG_ACTIVE = 1 << 8;
    /** Unevictable ({@code PG_unevictable}). */
    public static final int PG_UNEVICTABLE = 1 << 9;
    /** Mlocked ({@code PG_mlocked}). */
    public static final int PG_MLOCKED = 1 << 10;
    /** A page-table page ({@code PageTable}). */
    public static final int PG_PGTABLE = 1 << 11;
    /** Reserved: never allocated ({@code PG_reserved}); the shared zero page is one. */
    public static final int PG_RESERVED = 1 << 12;
    /** Swap-backed ({@code PG_swapbacked}). */
    public static final int PG_SWAPBACKED = 1 << 13;
    /** Under writeback ({@code PG_writeback}). */
    public static final int PG_WRITEBACK = 1 << 14;
    /** In the swap cache ({@code PG_swapcache}). */
    public static final int PG_SWAPCACHE = 1 << 15;
    /** A KSM page. */
    public static final int PG_KSM = 1 << 16;
    /** On a per-CPU free list (free, but not in the buddy lists). */
    public static final int PG_PCP = 1 << 17;
    /** Kernel allocation that is not otherwise typed (slab, etc.). */
    public static final int PG_SLAB = 1 << 18;
    /**
     * Used again through a system call after PG_referenced was set: where Linux's
     * {@code folio_mark_accessed()} would activate the page, for reclaim policies that learn by
     * scanning ({@code ScanControl.testAndClearYoung} reports and clears it).
     */
    public static final int PG_YOUNG = 1 << 19;
    /**
     * {@code PG_reclaim}: reclaim started this page's writeback ({@code pageout()}); when the write
     * completes, {@code folio_end_writeback()} clears it and rotates the page to the tail of its
     * inactive list ({@code folio_rotate_reclaimable()}), so that the next reclaim frees it first.
     */
    public static final int PG_RECLAIM = 1 << 20;

    /** The top eight flag bits belong to the reclaim policy holding the page ({@code PageLists.bits}). */
    public static final int PG_POLICY_SHIFT = io.vmsim.api.machine.IntrusivePageLists.BITS_SHIFT;
    public static final int PG_POLICY_MASK = 0xff << PG_POLICY_SHIFT;

    private final int nrFrames;
    public final int[] flags;
    public final int[] refcount;
    public final int[] mapcount;
    public final int[] prev;
    public final int[] next;
    public final int[] mapping;
    public final int[] index;
    public final int[] priv;
    private final int[] nodeStart;
    /** The node of each section of {@code 1 << sectionShift} frames: {@link #nodeOf} is one load. */
    private final byte[] sectionNode;
    private final int sectionShift;

    /**
     * Creates {@code nrFrames} frames split into nodes at the given start PFNs.
     *
     * @param nrFrames  total frames
     * @param nodeStart the first PFN of each node, ascending, starting with 0
     */
    public PageFrames(int nrFrames, int[] nodeStart) {
        if (nrFrames <= 0) {
            throw new IllegalArgumentException("nrFrames must be positive: " + nrFrames);
        }
        if (nodeStart.length == 0 || nodeStart[0] != 0) {
            throw new IllegalArgumentException("the first node must start at PFN 0");
        }
        this.nrFrames = nrFrames;
        this.flags = new int[nrFrames];
        this.refcount = new int[nrFrames];
        this.mapcount = new int[nrFrames];
        this.prev = new int[nrFrames];
        this.next = new int[nrFrames];
        this.mapping = new int[nrFrames];
        this.index = new int[nrFrames];
        this.priv = new int[nrFrames];
        this.nodeStart = nodeStart.clone();
        if (nodeStart.length > 128) {
            throw new IllegalArgumentException("at most 128 nodes: " + nodeStart.length);
        }
        // sections as large as the node boundaries allow (4 MiB when nodes start on MAX_ORDER
        // blocks, as the machine lays them out), like the kernel's section_to_node_table
        int shift = 30;
        for (int i = 1; i < nodeStart.length; i++) {
            if (nodeStart[i] <= nodeStart[i - 1] || nodeStart[i] >= nrFrames) {
                throw new IllegalArgumentException("node start PFNs must ascend within the frames: " + java.util.Arrays.toString(nodeStart));
            }
            shift = Math.min(shift, Integer.numberOfTrailingZeros(nodeStart[i]));
        }
        this.sectionShift = shift;
        this.sectionNode = new byte[(int) (((long) nrFrames + (1L << shift) - 1) >>> shift)];
        for (int i = 0; i < nodeStart.length; i++) {
            int from = nodeStart[i] >>> shift;
            int to = (int) (((long) nodeEndPfn(i) + (1L << shift) - 1) >>> shift);
            java.util.Arrays.fill(sectionNode, from, to, (byte) i);
        }
    }

    /** Bytes of metadata per frame held by this class: 8 ints. */
    public static final int BYTES_PER_FRAME = 8 * Integer.BYTES;

    @Override
    public int nrFrames() {
        return nrFrames;
    }

    /** Number of NUMA nodes. */
    public int nrNodes() {
        return nodeStart.length;
    }

    /** First PFN of a node. */
    public int nodeStartPfn(int node) {
        return nodeStart[node];
    }

    /** One past the last PFN of a node. */
    public int nodeEndPfn(int node) {
        return node + 1 < nodeStart.length ? nodeStart[node + 1] : nrFrames;
    }

    /** O(1): one byte per section ({@code page_to_nid()} with {@code section_to_node_table}). */
    @Override
    public int nodeOf(int pfn) {
        return sectionNode[pfn >>> sectionShift];
    }

    public boolean test(int pfn, int flag) {
        return (flags[pfn] & flag) != 0;
    }

    public void set(int pfn, int flag) {
        flags[pfn] |= flag;
    }

    public void clear(int pfn, int flag) {
        flags[pfn] &= ~flag;
    }

    @Override
    public boolean isFree(int pfn) {
        return (flags[pfn] & (PG_BUDDY | PG_PCP)) != 0;
    }

    @Override
    public int refcount(int pfn) {
        return refcount[pfn];
    }

    @Override
    public int mapcount(int pfn) {
        return mapcount[pfn];
    }

    /** Anonymous and swap-backed: a lazy-free page (MADV_FREE) is on the file LRU ({@code folio_is_file_lru()}). */
    @Override
    public boolean isAnon(int pfn) {
        return (flags[pfn] & (PG_ANON | PG_SWAPBACKED)) == (PG_ANON | PG_SWAPBACKED);
    }

    @Override
    public boolean isFile(int pfn) {
        return test(pfn, PG_FILE);
    }

    @Override
    public boolean isHead(int pfn) {
        return test(pfn, PG_HEAD);
    }

    @Override
    public boolean isDirty(int pfn) {
        return test(pfn, PG_DIRTY);
    }

    @Override
    public boolean isUnevictable(int pfn) {
        return test(pfn, PG_UNEVICTABLE | PG_MLOCKED);
    }

    @Override
    public long pageKey(int pfn) {
        return ((long) mapping[pfn] << 32) | (index[pfn] & 0xffffffffL);
    }
}
