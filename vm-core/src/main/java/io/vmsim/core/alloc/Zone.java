package io.vmsim.core.alloc;

import static io.vmsim.core.alloc.MigrateType.MIGRATE_MOVABLE;
import static io.vmsim.core.alloc.MigrateType.MIGRATE_PCPTYPES;
import static io.vmsim.core.alloc.MigrateType.MIGRATE_RECLAIMABLE;
import static io.vmsim.core.alloc.MigrateType.MIGRATE_TYPES;
import static io.vmsim.core.alloc.MigrateType.MIGRATE_UNMOVABLE;

import java.util.Arrays;

/**
 * A contiguous PFN range of one node managed by the buddy allocator ({@code struct zone} in
 * {@code include/linux/mmzone.h}; mechanics from {@code mm/page_alloc.c}).
 *
 * <p>Free blocks of {@code 2^order} frames sit on {@code free_area[order][migratetype]}, an
 * intrusive doubly-linked list through {@link PageFrames#prev}/{@link PageFrames#next}
 * ({@code -1} is null). The head frame of a free block has exactly {@link PageFrames#PG_BUDDY},
 * its order in {@link PageFrames#priv} ({@code set_buddy_order}) and the migratetype of its list
 * in {@link PageFrames#index}; the other frames of the block are all-zero. Pageblocks
 * (order {@value #PAGEBLOCK_ORDER}) carry a migratetype in one byte each.
 *
 * <p>{@link #nrFreePages()} is Linux's {@code NR_FREE_PAGES}: buddy pages only; pages on the
 * per-CPU lists are counted separately ({@link #pcpPages()}), as in the kernel, and watermark
 * checks see only the former.
 */
public final class Zone {
    /** Largest order ({@code MAX_ORDER} as of Linux 6.4; {@code MAX_ORDER - 1} before). */
    public static final int MAX_ORDER = 10;
    /** Number of orders, 0..{@link #MAX_ORDER}. */
    public static final int NR_PAGE_ORDERS = MAX_ORDER + 1;
    /** Order of a pageblock: a 2 MiB huge page. */
    public static final int PAGEBLOCK_ORDER = 9;
    /** Frames per pageblock. */
    public static final int PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;
    /** Orders above this are "costly" ({@code PAGE_ALLOC_COSTLY_ORDER}). */
    public static final int PAGE_ALLOC_COSTLY_ORDER = 3;

    /** Zone type below 4 GiB. */
    public static final int ZONE_DMA32 = 0;
    /** Zone type of the rest. */
    public static final int ZONE_NORMAL = 1;
    /** Number of zone types. */
    public static final int MAX_NR_ZONES = 2;
    private static final String[] ZONE_NAMES = {"DMA32", "Normal"};

    /** Index of the min watermark in {@link #watermark(int)}. */
    public static final int WMARK_MIN = 0;
    /** Index of the low watermark (kswapd wakes below it). */
    public static final int WMARK_LOW = 1;
    /** Index of the high watermark (kswapd sleeps above it). */
    public static final int WMARK_HIGH = 2;

    /** {@code ALLOC_HIGH}: __GFP_HIGH may use half of the min reserve. */
    static final int ALLOC_HIGH = 1;
    /** {@code ALLOC_HARDER}: atomic allocations may use another quarter. */
    static final int ALLOC_HARDER = 2;

    private static final int NONE = -1;

    private final PageFrames f;
    private final int id;
    private final int node;
    private final int type;
    private final int startPfn;
    private final int endPfn;
    private final long managedPages;
    final long[] watermark = new long[3];
    private final int[] freeHead = new int[NR_PAGE_ORDERS * MIGRATE_TYPES];
    private final long[] nrFree = new long[NR_PAGE_ORDERS];
    private long nrFreePages;
    private long pcpPages;
    private final byte[] pageblockMt;
    private final int pageblockBase;
    final PerCpuPages[] pcp;
    // find_suitable_fallback's second result, kept in a field to avoid an object per call.
    private boolean canSteal;
    /** Frames of a {@link #MAX_ORDER} block. */
    public static final int MAX_ORDER_NR_PAGES = 1 << MAX_ORDER;
    /**
     * Deferred initialisation ({@code CONFIG_DEFERRED_STRUCT_PAGE_INIT}): the free
     * {@link #MAX_ORDER} blocks {@code [uninitStart, uninitEnd)} were never initialised. They
     * count as free blocks of {@code free_area[MAX_ORDER][MIGRATE_MOVABLE]}, standing at the
     * tail of that list in descending PFN order, where {@code memblock_free_all()} would have
     * left them; {@link #freeHead(int, int)} initialises the highest one when the list has no
     * other block ({@code deferred_grow_zone()} in {@code mm/mm_init.c}, one max-order block at
     * a time here). So the zone behaves block for block as if initialised at boot.
     */
    private final boolean deferred;
    private int uninitStart;
    private int uninitEnd;

    Zone(PageFrames frames, int id, int node, int type, int startPfn, int endPfn, int nrCpus, int pcpBatch) {
        this(frames, id, node, type, startPfn, endPfn, nrCpus, pcpBatch, true);
    }

    Zone(PageFrames frames, int id, int node, int type, int startPfn, int endPfn, int nrCpus, int pcpBatch,
         boolean deferred) {
        this.deferred = deferred;
        if (startPfn >= endPfn) {
            throw new IllegalArgumentException("empty zone: [" + startPfn + ", " + endPfn + ")");
        }
        this.f = frames;
        this.id = id;
        this.node = node;
        this.type = type;
        this.startPfn = startPfn;
        this.endPfn = endPfn;
        this.managedPages = endPfn - startPfn;
        Arrays.fill(freeHead, NONE);
        this.pageblockBase = startPfn >>> PAGEBLOCK_ORDER;
        this.pageblockMt = new byte[((endPfn - 1) >>> PAGEBLOCK_ORDER) - pageblockBase + 1];
        // memmap_init_zone(): every pageblock starts MIGRATE_MOVABLE.
        Arrays.fill(pageblockMt, (byte) MIGRATE_MOVABLE);
        this.pcp = new PerCpuPages[nrCpus];
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            pcp[cpu] = new PerCpuPages(pcpBatch);
        }
    }

    // ---- identity and counters -------------------------------------------------------------

    /** Index of this zone in {@link PageAllocator#zones()}. */
    public int id() {
        return id;
    }

    /** The node that holds the zone. */
    public int node() {
        return node;
    }

    /** {@link #ZONE_DMA32} or {@link #ZONE_NORMAL}. */
    public int type() {
        return type;
    }

    /** Linux's name of the zone type ({@code DMA32}, {@code Normal}). */
    public String name() {
        return ZONE_NAMES[type];
    }

    /** Linux's name of a zone type. */
    public static String zoneName(int type) {
        return ZONE_NAMES[type];
    }

    /** First PFN ({@code zone_start_pfn}). */
    public int startPfn() {
        return startPfn;
    }

    /** One past the last PFN ({@code zone_end_pfn()}). */
    public int endPfn() {
        return endPfn;
    }

    /** True if the zone spans the PFN ({@code zone_spans_pfn}). */
    public boolean spans(int pfn) {
        return pfn >= startPfn && pfn < endPfn;
    }

    /** Pages the allocator manages ({@code zone_managed_pages}); every spanned page here. */
    public long managedPages() {
        return managedPages;
    }

    /** {@code NR_FREE_PAGES}: free pages in the buddy lists, excluding per-CPU lists. */
    public long nrFreePages() {
        return nrFreePages;
    }

    /** Free pages on the per-CPU lists of all CPUs. */
    public long pcpPages() {
        return pcpPages;
    }

    /** All free pages: buddy lists plus per-CPU lists. */
    public long freePages() {
        return nrFreePages + pcpPages;
    }

    /** Free blocks of an order over all migratetypes ({@code free_area[order].nr_free}). */
    public long nrFree(int order) {
        return nrFree[order];
    }

    /** A watermark in pages: {@link #WMARK_MIN}, {@link #WMARK_LOW} or {@link #WMARK_HIGH}. */
    public long watermark(int which) {
        return watermark[which];
    }

    /** The per-CPU lists of one CPU. */
    public PerCpuPages pcp(int cpu) {
        return pcp[cpu];
    }

    /** Migratetype of the pageblock holding the PFN ({@code get_pageblock_migratetype}). */
    public int pageblockMigratetype(int pfn) {
        return pageblockMt[(pfn >>> PAGEBLOCK_ORDER) - pageblockBase];
    }

    void setPageblockMigratetype(int pfn, int mt) {
        pageblockMt[(pfn >>> PAGEBLOCK_ORDER) - pageblockBase] = (byte) mt;
    }

    /**
     * {@code zone_watermark_ok()}: would {@code nrFreePages - 2^order + 1} stay above
     * {@code mark}, and is a free block of at least {@code order} available?
     */
    public boolean watermarkOk(int order, long mark) {
        return watermarkOk(order, mark, 0);
    }

    /** {@code __zone_watermark_ok()} in {@code mm/page_alloc.c}, without lowmem_reserve. */
    boolean watermarkOk(int order, long mark, int allocFlags) {
        return watermarkOk(order, mark, allocFlags, nrFreePages);
    }

    /** {@code __zone_watermark_ok()} with {@code freePages} in place of the zone's free pages. */
    boolean watermarkOk(int order, long mark, int allocFlags, long freePages) {
        long free = freePages - ((1L << order) - 1);
        long min = mark;
        if ((allocFlags & ALLOC_HIGH) != 0) {
            min -= min / 2;
        }
        if ((allocFlags & ALLOC_HARDER) != 0) {
            min -= min / 4;
        }
        if (free <= min) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        for (int o = order; o < NR_PAGE_ORDERS; o++) {
            if (nrFree[o] == 0) {
                continue;
            }
            for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
                if (hasBlocks(o, mt)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- free lists ----------------------------------------------------------------------------

    /**
     * Head PFN of {@code free_area[order].free_list[mt]}, or -1; the list goes on through
     * {@code next}. Initialises an uninitialised block if it would be the head.
     */
    public int freeListHead(int order, int mt) {
        return freeHead(order, mt);
    }

    /** True if {@code free_area[order].free_list[mt]} holds a block, initialised or not ({@code !free_area_empty()}). */
    private boolean hasBlocks(int order, int mt) {
        return freeHead[order * MIGRATE_TYPES + mt] != NONE
                || order == MAX_ORDER && mt == MIGRATE_MOVABLE && uninitEnd > uninitStart;
    }

    /** The head of a list; an uninitialised block becomes the head when the list has nothing else. */
    private int freeHead(int order, int mt) {
        int h = freeHead[order * MIGRATE_TYPES + mt];
        if (h == NONE && order == MAX_ORDER && mt == MIGRATE_MOVABLE && uninitEnd > uninitStart) {
            h = initTopBlock();
        }
        return h;
    }

    /**
     * {@code deferred_grow_zone()}: initialises the highest uninitialised block (its frames as
     * {@code __init_single_page()} leaves them, then {@code __free_pages_core()}), allocating
     * the frame metadata of its section if this is the section's first block.
     */
    private int initTopBlock() {
        int pfn = uninitEnd - MAX_ORDER_NR_PAGES;
        uninitEnd = pfn;
        nrFree[MAX_ORDER]--;
        nrFreePages -= MAX_ORDER_NR_PAGES;
        for (int p = pfn; p < pfn + MAX_ORDER_NR_PAGES; p++) {
            f.setPrev(p, NONE);
            f.setNext(p, NONE);
        }
        addToFreeList(pfn, MAX_ORDER, MIGRATE_MOVABLE);
        return pfn;
    }

    /** True if {@code pfn} lies in a free block never initialised (deferred struct page init). */
    public boolean uninitialised(int pfn) {
        return pfn >= uninitStart && pfn < uninitEnd;
    }

    /** Pages of the zone never initialised: free, in no list but counted in {@link #nrFree(int)}. */
    public long uninitialisedPages() {
        return (long) uninitEnd - uninitStart;
    }

    /** {@code add_to_free_list()} at the head, with {@code set_buddy_order()} and {@code __SetPageBuddy()}. */
    private void addToFreeList(int pfn, int order, int mt) {
        int li = order * MIGRATE_TYPES + mt;
        int h = freeHead[li];
        f.setPrev(pfn, NONE);
        f.setNext(pfn, h);
        if (h != NONE) {
            f.setPrev(h, pfn);
        }
        freeHead[li] = pfn;
        f.setFlags(pfn, PageFrames.PG_BUDDY);
        f.setPriv(pfn, order);
        f.setIndex(pfn, mt);
        nrFree[order]++;
        nrFreePages += 1L << order;
    }

    /** {@code del_page_from_free_list()}: unlink and clear the buddy state of a free head. */
    private void delFromFreeList(int pfn, int order) {
        int li = order * MIGRATE_TYPES + f.index(pfn);
        int p = f.prev(pfn);
        int n = f.next(pfn);
        if (p == NONE) {
            freeHead[li] = n;
        } else {
            f.setNext(p, n);
        }
        if (n != NONE) {
            f.setPrev(n, p);
        }
        f.setPrev(pfn, NONE);
        f.setNext(pfn, NONE);
        f.setFlags(pfn, 0);
        f.setPriv(pfn, 0);
        f.setIndex(pfn, 0);
        nrFree[order]--;
        nrFreePages -= 1L << order;
    }

    private void moveToFreeList(int pfn, int order, int mt) {
        delFromFreeList(pfn, order);
        addToFreeList(pfn, order, mt);
    }

    /** {@code page_is_buddy()}: a free head of the same order inside this zone. */
    private boolean pageIsBuddy(int buddy, int order) {
        return buddy >= startPfn && buddy < endPfn
                && (f.flags(buddy) & PageFrames.PG_BUDDY) != 0 && f.priv(buddy) == order;
    }

    /**
     * {@code __free_one_page()}: give a clean block back, merging with its buddy
     * ({@code pfn ^ (1 << order)}) while the buddy is a free block of the same order in this zone.
     */
    void freeOnePage(int pfn, int order, int mt) {
        while (order < MAX_ORDER) {
            int buddy = pfn ^ (1 << order);
            if (!pageIsBuddy(buddy, order)) {
                break;
            }
            delFromFreeList(buddy, order);
            pfn &= buddy;
            order++;
        }
        addToFreeList(pfn, order, mt);
    }

    /** {@code expand()}: split a block of order {@code high} down to {@code low}, freeing the upper halves. */
    private void expand(int pfn, int low, int high, int mt) {
        int size = 1 << high;
        while (high > low) {
            high--;
            size >>>= 1;
            addToFreeList(pfn + size, high, mt);
        }
    }

    /** {@code __rmqueue_smallest()}: the smallest block of this migratetype that fits, split down. */
    int rmqueueSmallest(int order, int mt) {
        for (int o = order; o < NR_PAGE_ORDERS; o++) {
            int pfn = freeHead(o, mt);
            if (pfn == NONE) {
                continue;
            }
            delFromFreeList(pfn, o);
            expand(pfn, order, o, mt);
            return pfn;
        }
        return NONE;
    }

    /** {@code __rmqueue()}: this migratetype, else steal from another and retry. */
    int rmqueue(int order, int mt) {
        while (true) {
            int pfn = rmqueueSmallest(order, mt);
            if (pfn != NONE || !rmqueueFallback(order, mt)) {
                return pfn;
            }
        }
    }

    /** {@code can_steal_fallback()}: may the whole pageblock change hands? */
    private static boolean canStealFallback(int order, int startMt) {
        return order >= PAGEBLOCK_ORDER / 2
                || startMt == MIGRATE_RECLAIMABLE || startMt == MIGRATE_UNMOVABLE;
    }

    /** {@code find_suitable_fallback()} with {@code only_stealable == false}; sets {@link #canSteal}. */
    private int findSuitableFallback(int order, int startMt) {
        canSteal = false;
        if (nrFree[order] == 0) {
            return NONE;
        }
        int[] fallbacks = MigrateType.FALLBACKS[startMt];
        for (int fallbackMt : fallbacks) {
            if (!hasBlocks(order, fallbackMt)) {
                continue;
            }
            if (canStealFallback(order, startMt)) {
                canSteal = true;
            }
            return fallbackMt;
        }
        return NONE;
    }

    /**
     * {@code __rmqueue_fallback()} (Linux 5.x): take the largest block of another migratetype, so
     * that one steal converts as much as possible; but a movable request that cannot claim the
     * pageblock takes the smallest instead. Returns true if a block moved to {@code startMt}.
     */
    private boolean rmqueueFallback(int order, int startMt) {
        int current = MAX_ORDER;
        int fallbackMt = NONE;
        for (; current >= order; current--) {
            fallbackMt = findSuitableFallback(current, startMt);
            if (fallbackMt != NONE) {
                break;
            }
        }
        if (fallbackMt == NONE) {
            return false;
        }
        if (!canSteal && startMt == MIGRATE_MOVABLE && current > order) {
            for (current = order; current <= MAX_ORDER; current++) {
                fallbackMt = findSuitableFallback(current, startMt);
                if (fallbackMt != NONE) {
                    break;
                }
            }
        }
        int pfn = freeHead(current, fallbackMt);
        stealSuitableFallback(pfn, current, startMt, canSteal);
        return true;
    }

    /** {@code steal_suitable_fallback()} (Linux 5.x, without watermark boosting). */
    private void stealSuitableFallback(int pfn, int order, int startMt, boolean wholeBlock) {
        if (order >= PAGEBLOCK_ORDER) {
            // change_pageblock_range(): the block covers whole pageblocks.
            for (int pb = 0; pb < 1 << (order - PAGEBLOCK_ORDER); pb++) {
                setPageblockMigratetype(pfn + pb * PAGEBLOCK_NR_PAGES, startMt);
            }
            moveToFreeList(pfn, order, startMt);
            return;
        }
        if (wholeBlock) {
            int oldBlockMt = pageblockMigratetype(pfn);
            int freePages = moveFreepagesBlock(pfn, startMt);
            if (freePages > 0) {
                int movable = movablePages;
                int alike;
                if (startMt == MIGRATE_MOVABLE) {
                    alike = movable;
                } else if (oldBlockMt == MIGRATE_MOVABLE) {
                    alike = PAGEBLOCK_NR_PAGES - (freePages + movable);
                } else {
                    alike = 0;
                }
                if (freePages + alike >= 1 << (PAGEBLOCK_ORDER - 1)) {
                    setPageblockMigratetype(pfn, startMt);
                }
                return;
            }
        }
        moveToFreeList(pfn, order, startMt);
    }

    // move_freepages()'s count of movable (LRU) pages, kept in a field to avoid an object per call.
    private int movablePages;

    /**
     * {@code move_freepages_block()}: move every free buddy block of the pageblock to
     * {@code mt}'s lists; count allocated LRU pages in {@link #movablePages}.
     *
     * @return pages moved, or 0 if the pageblock is not entirely inside the zone's end
     */
    private int moveFreepagesBlock(int pfn, int mt) {
        movablePages = 0;
        int start = pfn & ~(PAGEBLOCK_NR_PAGES - 1);
        int end = start + PAGEBLOCK_NR_PAGES - 1;
        if (!spans(start)) {
            start = pfn;
        }
        if (!spans(end)) {
            return 0;
        }
        int moved = 0;
        int p = start;
        while (p <= end) {
            int fl = f.flags(p);
            if ((fl & PageFrames.PG_BUDDY) == 0) {
                if ((fl & PageFrames.PG_LRU) != 0) {
                    movablePages++;
                }
                p++;
                continue;
            }
            int order = f.priv(p);
            moveToFreeList(p, order, mt);
            p += 1 << order;
            moved += 1 << order;
        }
        return moved;
    }

    // ---- compaction (THP, issue 5) ---------------------------------------------------------------

    /**
     * {@code __isolate_free_page()} for compaction's free scanner: takes the free buddy block
     * headed at {@code pfn} off its list, leaving its frames clean and owned by the caller.
     *
     * @return the block's order, or -1 if {@code pfn} is not the head of a free buddy block
     */
    public int isolateFreeBlock(int pfn) {
        if (!spans(pfn) || (f.flags(pfn) & PageFrames.PG_BUDDY) == 0) {
            return -1;
        }
        int order = f.priv(pfn);
        delFromFreeList(pfn, order);
        return order;
    }

    /** True if some free block of at least {@code order} sits on a list of migratetype {@code mt}. */
    public boolean hasFreeBlock(int order, int mt) {
        for (int o = order; o < NR_PAGE_ORDERS; o++) {
            if (hasBlocks(o, mt)) {
                return true;
            }
        }
        return false;
    }

    // ---- per-CPU lists -------------------------------------------------------------------------

    /** {@code rmqueue_pcplist()}: take an order-0 page from the CPU's list, refilling it if empty. */
    int pcpAlloc(int cpu, int mt) {
        PerCpuPages p = pcp[cpu];
        if (p.head[mt] == NONE) {
            rmqueueBulk(p, mt, p.batch);
            if (p.head[mt] == NONE) {
                return NONE;
            }
        }
        int pfn = p.head[mt];
        pcpUnlink(p, pfn, mt);
        f.setFlags(pfn, 0);
        f.setIndex(pfn, 0);
        return pfn;
    }

    /** {@code rmqueue_bulk()}: move up to {@code count} order-0 pages to the tail of a pcp list. */
    private void rmqueueBulk(PerCpuPages p, int mt, int count) {
        for (int i = 0; i < count; i++) {
            int pfn = rmqueue(0, mt);
            if (pfn == NONE) {
                break;
            }
            int t = p.tail[mt];
            f.setPrev(pfn, t);
            f.setNext(pfn, NONE);
            if (t == NONE) {
                p.head[mt] = pfn;
            } else {
                f.setNext(t, pfn);
            }
            p.tail[mt] = pfn;
            f.setFlags(pfn, PageFrames.PG_PCP);
            f.setIndex(pfn, mt);
            p.count++;
            pcpPages++;
        }
    }

    private void pcpUnlink(PerCpuPages p, int pfn, int mt) {
        int pr = f.prev(pfn);
        int nx = f.next(pfn);
        if (pr == NONE) {
            p.head[mt] = nx;
        } else {
            f.setNext(pr, nx);
        }
        if (nx == NONE) {
            p.tail[mt] = pr;
        } else {
            f.setPrev(nx, pr);
        }
        f.setPrev(pfn, NONE);
        f.setNext(pfn, NONE);
        p.count--;
        pcpPages--;
    }

    /**
     * {@code free_unref_page_commit()}: put a clean order-0 page at the head of the CPU's list
     * of its pageblock's type; at {@code high} or more, return a batch to the buddy lists.
     */
    void pcpFree(int cpu, int pfn) {
        PerCpuPages p = pcp[cpu];
        int mt = pageblockMigratetype(pfn);
        int h = p.head[mt];
        f.setPrev(pfn, NONE);
        f.setNext(pfn, h);
        if (h == NONE) {
            p.tail[mt] = pfn;
        } else {
            f.setPrev(h, pfn);
        }
        p.head[mt] = pfn;
        f.setFlags(pfn, PageFrames.PG_PCP);
        f.setIndex(pfn, mt);
        p.count++;
        pcpPages++;
        if (p.count >= p.high) {
            freePcppagesBulk(p, p.batch);
        }
    }

    /**
     * {@code free_pcppages_bulk()} (Linux 5.x): free {@code count} pages from the tails of the
     * lists, round-robin, taking more from fuller lists as empty ones are met.
     */
    void freePcppagesBulk(PerCpuPages p, int count) {
        count = Math.min(count, p.count);
        int mt = 0;
        int batchFree = 0;
        while (count > 0) {
            do {
                batchFree++;
                if (++mt == MIGRATE_PCPTYPES) {
                    mt = 0;
                }
            } while (p.head[mt] == NONE);
            if (batchFree == MIGRATE_PCPTYPES) {
                batchFree = count;
            }
            do {
                int pfn = p.tail[mt];
                pcpUnlink(p, pfn, mt);
                int pageMt = f.index(pfn);
                f.setFlags(pfn, 0);
                f.setIndex(pfn, 0);
                freeOnePage(pfn, 0, pageMt);
            } while (--count > 0 && --batchFree > 0 && p.head[mt] != NONE);
        }
    }

    /** {@code drain_zone_pages()} for one CPU: everything back to the buddy lists. */
    void drainPcp(int cpu) {
        PerCpuPages p = pcp[cpu];
        freePcppagesBulk(p, p.count);
    }

    // ---- boot and verification -----------------------------------------------------------------

    /**
     * {@code memblock_free_all()} for this zone: {@code __free_pages_memory()} hands the range
     * over in naturally aligned blocks of at most {@link #MAX_ORDER}.
     */
    void freeAllAtBoot() {
        // the MAX_ORDER blocks: [firstMax, endMax)
        int firstMax = (int) Math.min(endPfn, ((long) startPfn + MAX_ORDER_NR_PAGES - 1) & -MAX_ORDER_NR_PAGES);
        int endMax = Math.max(firstMax, endPfn & -MAX_ORDER_NR_PAGES);
        int pfn = startPfn;
        while (pfn < endPfn) {
            if (deferred && pfn == firstMax && endMax > firstMax) {
                // deferred_init_memmap(): left uninitialised, counted free (page_alloc_init_late()
                // would finish them on other CPUs; here a block is initialised when first needed)
                uninitStart = firstMax;
                uninitEnd = endMax;
                long blocks = (endMax - firstMax) >>> MAX_ORDER;
                nrFree[MAX_ORDER] += blocks;
                nrFreePages += blocks << MAX_ORDER;
                pfn = endMax;
                continue;
            }
            int order = pfn == 0 ? MAX_ORDER : Math.min(MAX_ORDER, Integer.numberOfTrailingZeros(pfn));
            while (pfn + (1L << order) > endPfn) {
                order--;
            }
            for (int p = pfn; p < pfn + (1 << order); p++) {
                f.setPrev(p, NONE);
                f.setNext(p, NONE);
            }
            freeOnePage(pfn, order, pageblockMigratetype(pfn));
            pfn += 1 << order;
        }
    }

    /** Free blocks on one list, by walking it (for {@code /proc/pagetypeinfo} and checks). */
    long countFreeList(int order, int mt) {
        long n = order == MAX_ORDER && mt == MIGRATE_MOVABLE ? uninitialisedPages() >>> MAX_ORDER : 0;
        for (int p = freeHead[order * MIGRATE_TYPES + mt]; p != NONE && n <= managedPages; p = f.next(p)) {
            n++;
        }
        return n;
    }

    /**
     * Checks this zone's lists and counters and marks the frames they hold in {@code state}
     * (1 = free in the buddy lists, 2 = on a per-CPU list).
     */
    void verify(byte[][] state) {
        check(uninitStart <= uninitEnd && (uninitEnd == uninitStart
                        || uninitStart >= startPfn && uninitEnd <= endPfn
                        && ((uninitStart | uninitEnd) & (MAX_ORDER_NR_PAGES - 1)) == 0),
                this.toString(), "uninitialised range [" + uninitStart + ", " + uninitEnd + ") is not whole MAX_ORDER blocks of the zone");
        for (int p = uninitStart; p < uninitEnd; p = PageFrames.nextSectionPfn(p)) {
            // an uninitialised block's frames are as __init_single_page() would leave them: untouched
            if (f.sectionPresent(p)) {
                int to = Math.min(uninitEnd, PageFrames.nextSectionPfn(p));
                for (int q = p; q < to; q++) {
                    check(f.flags(q) == 0 && f.refcount(q) == 0, this + " PFN " + q, "uninitialised frame in use");
                }
            }
        }
        long pages = 0;
        for (int order = 0; order < NR_PAGE_ORDERS; order++) {
            long blocks = 0;
            for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
                int prevPfn = NONE;
                for (int p = freeHead[order * MIGRATE_TYPES + mt]; p != NONE; p = f.next(p)) {
                    String where = this + " free_area[" + order + "][" + MigrateType.name(mt) + "] PFN " + p;
                    check(p >= startPfn && p + (1L << order) <= endPfn, where, "block outside the zone");
                    check((p & ((1 << order) - 1)) == 0, where, "block not aligned to its order");
                    check(f.flags(p) == PageFrames.PG_BUDDY, where, "head flags are not exactly PG_BUDDY");
                    check(f.priv(p) == order, where, "buddy order " + f.priv(p) + " on the wrong list");
                    check(f.index(p) == mt, where, "migratetype " + f.index(p) + " on the wrong list");
                    check(f.prev(p) == prevPfn, where, "broken prev link");
                    for (int i = 0; i < 1 << order; i++) {
                        check(state(state, p + i) == 0, where, "frame " + (p + i) + " is on two free lists (or a cycle)");
                        setState(state, p + i, 1);
                        if (i > 0) {
                            check(f.flags(p + i) == 0, where, "frame " + (p + i) + " inside a free block has flags");
                        }
                    }
                    prevPfn = p;
                    blocks++;
                    pages += 1L << order;
                }
            }
            if (order == MAX_ORDER) {
                blocks += uninitialisedPages() >>> MAX_ORDER;
                pages += uninitialisedPages();
            }
            check(blocks == nrFree[order], this.toString(),
                    "nr_free[" + order + "] = " + nrFree[order] + " but the lists hold " + blocks);
        }
        check(pages == nrFreePages, this.toString(), "NR_FREE_PAGES = " + nrFreePages + " but the lists hold " + pages);
        for (int order = 0; order < MAX_ORDER; order++) {
            for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
                for (int p = freeHead[order * MIGRATE_TYPES + mt]; p != NONE; p = f.next(p)) {
                    int buddy = p ^ (1 << order);
                    check(!(pageIsBuddy(buddy, order) && state(state, buddy) == 1), this + " free_area[" + order + "] PFN " + p,
                            "its buddy " + buddy + " is free with the same order but they were not coalesced");
                }
            }
        }
        long onPcp = 0;
        for (int cpu = 0; cpu < pcp.length; cpu++) {
            PerCpuPages p = pcp[cpu];
            int n = 0;
            for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
                int prevPfn = NONE;
                for (int q = p.head[mt]; q != NONE; q = f.next(q)) {
                    String where = this + " pcp[cpu " + cpu + "][" + MigrateType.name(mt) + "] PFN " + q;
                    check(spans(q), where, "page outside the zone");
                    check(state(state, q) == 0, where, "page is on two free lists (or a cycle)");
                    check(f.flags(q) == PageFrames.PG_PCP, where, "flags are not exactly PG_PCP");
                    check(f.index(q) == mt, where, "migratetype " + f.index(q) + " on the wrong list");
                    check(f.prev(q) == prevPfn, where, "broken prev link");
                    setState(state, q, 2);
                    prevPfn = q;
                    n++;
                }
                check(p.tail[mt] == prevPfn, this + " pcp[cpu " + cpu + "]", "tail is not the last page");
            }
            check(n == p.count, this + " pcp[cpu " + cpu + "]", "count = " + p.count + " but the lists hold " + n);
            onPcp += n;
        }
        check(onPcp == pcpPages, this.toString(), "pcp pages = " + pcpPages + " but the lists hold " + onPcp);
    }

    /** The verify state of a frame: per section, allocated when first marked. */
    static int state(byte[][] state, int pfn) {
        byte[] s = state[pfn >>> PageFrames.SECTION_SHIFT];
        return s == null ? 0 : s[pfn & (PageFrames.PAGES_PER_SECTION - 1)];
    }

    static void setState(byte[][] state, int pfn, int v) {
        int i = pfn >>> PageFrames.SECTION_SHIFT;
        if (state[i] == null) {
            state[i] = new byte[PageFrames.PAGES_PER_SECTION];
        }
        state[i][pfn & (PageFrames.PAGES_PER_SECTION - 1)] = (byte) v;
    }

    private static void check(boolean ok, String where, String what) {
        if (!ok) {
            throw new IllegalStateException(where + ": " + what);
        }
    }

    @Override
    public String toString() {
        return "Node " + node + ", zone " + name();
    }
}
