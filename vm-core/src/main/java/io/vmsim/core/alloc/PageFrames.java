package io.vmsim.core.alloc;

import io.vmsim.api.machine.FrameView;

/**
 * Per-frame state of simulated physical memory: the simulator's {@code struct page}
 * ({@code include/linux/mm_types.h}) laid out as a struct of arrays, eight {@code int}s =
 * 32 bytes per 4 KiB frame and no object per page. The arrays are cut in sections of
 * {@value #PAGES_PER_SECTION} frames (SPARSEMEM's {@code mem_section}); a section's arrays are
 * allocated on the first write to one of its frames, so memory that is never touched costs one
 * reference per section and field. Reads of a frame of an absent section give 0.
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
    /**
     * {@code PG_private} of a page-cache page: buffer heads are attached ({@code folio_attach_private()}
     * from {@code create_empty_buffers()}), charged to the page's memory cgroup
     * ({@link io.vmsim.core.mm.AccountedSlabs#BUFFER_HEAD}); freed with the page.
     */
    public static final int PG_PRIVATE = 1 << 21;

    /** The top eight flag bits belong to the reclaim policy holding the page ({@code PageLists.bits}). */
    public static final int PG_POLICY_SHIFT = io.vmsim.api.machine.IntrusivePageLists.BITS_SHIFT;
    public static final int PG_POLICY_MASK = 0xff << PG_POLICY_SHIFT;

    /**
     * Frames per section: {@code PAGES_PER_SECTION} of x86-64 SPARSEMEM ({@code SECTION_SIZE_BITS = 27},
     * 128 MiB). Frame metadata is allocated a section at a time, on the first write to a frame of it
     * ({@code sparse_init()} and {@code deferred_init_memmap()} in {@code mm/sparse.c}, {@code mm/mm_init.c}).
     */
    public static final int SECTION_SHIFT = 15;
    /** Frames per section. */
    public static final int PAGES_PER_SECTION = 1 << SECTION_SHIFT;
    private static final int SECTION_MASK = PAGES_PER_SECTION - 1;
    /** Number of {@code int} arrays allocated per section (one per field of the frame). */
    public static final int INT_ARRAYS_PER_SECTION = 8;
    /** What a frame of a section that was never written reads as: every field 0. Never written. */
    private static final int[] ZERO = new int[PAGES_PER_SECTION];

    private final int nrFrames;
    // One entry per section in each table; a section never written points at ZERO.
    private final int[][] flags;
    private final int[][] refcount;
    private final int[][] mapcount;
    private final int[][] prev;
    private final int[][] next;
    private final int[][] mapping;
    private final int[][] index;
    private final int[][] priv;
    private int presentSections;
    private final int[] nodeStart;
    /** The node of each section of {@code 1 << sectionShift} frames: {@link #nodeOf} is one load. */
    private final byte[] sectionNode;
    private final int sectionShift;

    /**
     * Creates {@code nrFrames} frames split into nodes at the given start PFNs. No frame
     * metadata is allocated until a frame is written.
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
        int sections = (int) (((long) nrFrames + SECTION_MASK) >>> SECTION_SHIFT);
        this.flags = emptyTable(sections);
        this.refcount = emptyTable(sections);
        this.mapcount = emptyTable(sections);
        this.prev = emptyTable(sections);
        this.next = emptyTable(sections);
        this.mapping = emptyTable(sections);
        this.index = emptyTable(sections);
        this.priv = emptyTable(sections);
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

    private static int[][] emptyTable(int sections) {
        int[][] t = new int[sections][];
        java.util.Arrays.fill(t, ZERO);
        return t;
    }

    /**
     * Bytes of metadata per frame of a present section: the {@value #INT_ARRAYS_PER_SECTION}
     * {@code int} arrays allocated by {@link #touchSection}, one element each per frame.
     */
    public static final int BYTES_PER_FRAME = INT_ARRAYS_PER_SECTION * Integer.BYTES;

    /** Number of sections ({@code NR_MEM_SECTIONS} of this machine). */
    public int nrSections() {
        return flags.length;
    }

    /** True if the section holding {@code pfn} has its metadata ({@code present_section_nr()}). */
    public boolean sectionPresent(int pfn) {
        return flags[pfn >>> SECTION_SHIFT] != ZERO;
    }

    /** Sections whose metadata is allocated. */
    public int presentSections() {
        return presentSections;
    }

    /** Heap bytes of frame metadata allocated so far (the elements of the per-section arrays). */
    public long metadataBytes() {
        long n = 0;
        for (int[] a : flags) {
            if (a != ZERO) {
                n += (long) a.length * BYTES_PER_FRAME;
            }
        }
        return n;
    }

    /** First PFN of the section after the one holding {@code pfn} (for walkers that skip absent sections). */
    public static int nextSectionPfn(int pfn) {
        return (pfn | SECTION_MASK) + 1;
    }

    /**
     * Allocates the metadata of the section holding {@code pfn} if it has none: the first write
     * to a frame of a section allocates {@value #INT_ARRAYS_PER_SECTION} arrays of up to
     * {@value #PAGES_PER_SECTION} ints; every later access is allocation-free.
     */
    public void touchSection(int pfn) {
        int s = pfn >>> SECTION_SHIFT;
        if (flags[s] != ZERO) {
            return;
        }
        if (presentSections >= sectionBudget) {
            throw new HeapExhaustedException(this, s);
        }
        int len = (int) Math.min(PAGES_PER_SECTION, (long) nrFrames - ((long) s << SECTION_SHIFT));
        int[][] arrays = new int[INT_ARRAYS_PER_SECTION][];
        try {
            for (int i = 0; i < arrays.length; i++) {
                arrays[i] = new int[len];
            }
        } catch (OutOfMemoryError e) {
            arrays = null;
            throw new HeapExhaustedException(this, s);
        }
        flags[s] = arrays[0];
        refcount[s] = arrays[1];
        mapcount[s] = arrays[2];
        prev[s] = arrays[3];
        next[s] = arrays[4];
        mapping[s] = arrays[5];
        index[s] = arrays[6];
        priv[s] = arrays[7];
        presentSections++;
    }

    private long heapIfAllTouched = -1;
    private long sectionBudget = Long.MAX_VALUE;

    /**
     * The most sections the heap is counted to hold ({@code MachineLimits}): the first write to
     * a section beyond them raises {@link HeapExhaustedException}.
     */
    public void setSectionBudget(long sections) {
        this.sectionBudget = sections;
    }

    /** The heap a run touching every frame needs, named when the heap runs out ({@link HeapExhaustedException}). */
    public void setHeapIfAllTouched(long bytes) {
        this.heapIfAllTouched = bytes;
    }

    /**
     * The run touched more simulated memory than the Java heap can hold the metadata of: raised
     * by the first write to a section whose arrays cannot be allocated, instead of an
     * {@link OutOfMemoryError}.
     */
    public static final class HeapExhaustedException extends IllegalStateException
            implements io.vmsim.core.error.UserError {
        HeapExhaustedException(PageFrames f, int section) {
            super(message(f, section));
        }

        private static String message(PageFrames f, int section) {
            long touched = (long) f.presentSections * PAGES_PER_SECTION * 4096;
            long max = Runtime.getRuntime().maxMemory();
            String all = f.heapIfAllTouched > 0
                    ? "; a run touching all " + (((long) f.nrFrames * 4096) >> 30) + " GiB of machine.memory needs about "
                    + ((f.heapIfAllTouched + (1L << 30) - 1) >> 30) + " GiB (e.g. VMSIM_JAVA_OPTS=-Xmx"
                    + ((f.heapIfAllTouched + f.heapIfAllTouched / 4 + (1L << 30) - 1) >> 30) + "g)"
                    : "";
            return "the Java heap (" + (max >> 20) + " MiB) cannot hold the frames the workload touches: it has touched "
                    + (touched >> 20) + " MiB of simulated memory (" + f.presentSections + " sections of 128 MiB) and section "
                    + section + " (PFN " + ((long) section << SECTION_SHIFT) + ") does not fit" + all + ", or simulate less";
        }
    }

    private int[] w(int[][] table, int pfn) {
        int[] a = table[pfn >>> SECTION_SHIFT];
        if (a == ZERO) {
            touchSection(pfn);
            a = table[pfn >>> SECTION_SHIFT];
        }
        return a;
    }

    // ---- the fields: reads of a frame never written give 0 ----------------------------------------

    /** The {@code PG_*} bits. */
    public int flags(int pfn) {
        return flags[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    public void setFlags(int pfn, int v) {
        w(flags, pfn)[pfn & SECTION_MASK] = v;
    }

    public void setRefcount(int pfn, int v) {
        w(refcount, pfn)[pfn & SECTION_MASK] = v;
    }

    /** Adds {@code d} to the refcount and returns the new value ({@code page_ref_add_return}). */
    public int addRefcount(int pfn, int d) {
        return w(refcount, pfn)[pfn & SECTION_MASK] += d;
    }

    public void setMapcount(int pfn, int v) {
        w(mapcount, pfn)[pfn & SECTION_MASK] = v;
    }

    /** Adds {@code d} to the mapcount and returns the new value. */
    public int addMapcount(int pfn, int d) {
        return w(mapcount, pfn)[pfn & SECTION_MASK] += d;
    }

    /** Link to the previous frame of an intrusive list ({@code page->lru.prev}). */
    public int prev(int pfn) {
        return prev[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    public void setPrev(int pfn, int v) {
        w(prev, pfn)[pfn & SECTION_MASK] = v;
    }

    /** Link to the next frame of an intrusive list ({@code page->lru.next}). */
    public int next(int pfn) {
        return next[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    public void setNext(int pfn, int v) {
        w(next, pfn)[pfn & SECTION_MASK] = v;
    }

    /** The owner: anon_vma id or file id ({@code page->mapping}). */
    public int mapping(int pfn) {
        return mapping[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    public void setMapping(int pfn, int v) {
        w(mapping, pfn)[pfn & SECTION_MASK] = v;
    }

    /** Page offset within the owner ({@code page->index}). */
    public int index(int pfn) {
        return index[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    public void setIndex(int pfn, int v) {
        w(index, pfn)[pfn & SECTION_MASK] = v;
    }

    /** {@code page->private}. */
    public int priv(int pfn) {
        return priv[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    public void setPriv(int pfn, int v) {
        w(priv, pfn)[pfn & SECTION_MASK] = v;
    }

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
        return (flags(pfn) & flag) != 0;
    }

    public void set(int pfn, int flag) {
        setFlags(pfn, flags(pfn) | flag);
    }

    public void clear(int pfn, int flag) {
        setFlags(pfn, flags(pfn) & ~flag);
    }

    @Override
    public boolean isFree(int pfn) {
        return (flags(pfn) & (PG_BUDDY | PG_PCP)) != 0;
    }

    @Override
    public int refcount(int pfn) {
        return refcount[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    @Override
    public int mapcount(int pfn) {
        return mapcount[pfn >>> SECTION_SHIFT][pfn & SECTION_MASK];
    }

    /** Anonymous and swap-backed: a lazy-free page (MADV_FREE) is on the file LRU ({@code folio_is_file_lru()}). */
    @Override
    public boolean isAnon(int pfn) {
        return (flags(pfn) & (PG_ANON | PG_SWAPBACKED)) == (PG_ANON | PG_SWAPBACKED);
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
        return ((long) mapping(pfn) << 32) | (index(pfn) & 0xffffffffL);
    }
}
