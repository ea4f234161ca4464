package io.vmsim.core.swap;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.pgtable.Pte;

import java.util.Arrays;

/**
 * Swap devices, their slots and the swap cache ({@code mm/swapfile.c}, {@code mm/swap_state.c}).
 *
 * <p>Each device has a {@code swap_map}: per slot, the number of page-table entries that hold
 * the slot's swap entry. A slot is in use while that count is positive or a page sits in the
 * swap cache for it. Devices have equal priority and are filled in order; within a device the
 * next free slot is found by a cursor that wraps, like the cluster scan of
 * {@code scan_swap_map_slots()} without clusters.
 *
 * <p>Each slot also keeps the shadow entry the reclaim policy returned when the page was
 * evicted ({@code mm/workingset.c} stores it in the swap cache's xarray slot); it is handed back
 * on swap-in and dropped when the slot is freed.
 *
 * <p>The swap cache holds a page that was swapped in (its slot stays allocated and the page
 * clean, see {@link SwapIn}) or that reclaim is writing out. When the last entry naming a slot
 * goes away ({@code swap_free()}) its cached page keeps the slot while the page is mapped,
 * unless swap is more than half full ({@code __try_to_reclaim_swap()} with
 * {@code TTRS_UNMAPPED | TTRS_FULL}); an unmapped page leaves the cache and the slot is freed.
 * A page being written to swap ({@link PageFrames#PG_WRITEBACK}) stays in the cache, and
 * keeps its slot, until reclaim frees it after the write.
 * A page in the swap cache has {@link PageFrames#PG_SWAPCACHE} and its slot in {@code priv}.
 */
public final class SwapSpace {
    /** Bits of the offset in a slot code stored in {@code priv} (type in the bits above). */
    private static final int OFFSET_BITS = 26;
    /** Slots a device may have: fewer than 2^26 (256 GiB of 4 KiB pages), the offset field of an entry. */
    public static final long MAX_SLOTS_PER_DEVICE = (1L << OFFSET_BITS) - 1;
    /** Heap bytes per slot: its count, its shadow entry and the shadow's LRU domain, and its swap-cache frame. */
    public static final int BYTES_PER_SLOT = Integer.BYTES + Long.BYTES + Character.BYTES + Integer.BYTES;

    private final PageFrames frames;
    private final int[][] count;
    private final long[][] shadow;
    private final char[][] shadowDomain;
    private final int[][] cachePfn;
    private final int[] cursor;
    private final long total;
    private long used;
    private long cached;

    /**
     * @param frames    the machine's frames
     * @param pages     total slots (SwapTotal in pages)
     * @param devices   number of devices sharing them
     */
    /** KSM (issue 11): the frames' content tags, set by the reclaim subsystem; null leaves contents alone. */
    public io.vmsim.core.mm.PageContents contents;
    /** The content tags of pages whose only copy is in a swap slot, by slot code (devices x offset). */
    private final io.vmsim.core.mm.PageContents slotContents = new io.vmsim.core.mm.PageContents();
    /**
     * Pages a per-CPU folio batch holds (reclaim's rotate batch): {@link #put} leaves them in the
     * swap cache, as pages under writeback, when their slot's last entry goes.
     */
    private java.util.function.IntPredicate batchHeld = pfn -> false;

    public SwapSpace(PageFrames frames, long pages, int devices) {
        if (pages / Math.max(1, devices) > MAX_SLOTS_PER_DEVICE) {
            throw new IllegalArgumentException("swap device of " + pages / devices + " pages exceeds the simulator's 2^26 slots per device");
        }
        this.frames = frames;
        int n = pages == 0 ? 0 : devices;
        count = new int[n][];
        shadow = new long[n][];
        shadowDomain = new char[n][];
        cachePfn = new int[n][];
        cursor = new int[n];
        long t = 0;
        for (int d = 0; d < n; d++) {
            int slots = (int) (pages / devices + (d < pages % devices ? 1 : 0));
            count[d] = new int[slots];
            shadow[d] = new long[slots];
            shadowDomain[d] = new char[slots];
            cachePfn[d] = new int[slots];
            Arrays.fill(cachePfn[d], -1);
            t += slots;
        }
        total = t;
    }

    /** SwapTotal in pages. */
    public long totalPages() {
        return total;
    }

    /** SwapFree in pages. */
    public long freePages() {
        return total - used;
    }

    /** {@code vm_swap_full()}: more than half of the swap space is in use. */
    public boolean full() {
        return (total - used) * 2 < total;
    }

    /**
     * {@code folio_free_swap()}: takes a page out of the swap cache, freeing its slot, if no
     * page-table entry still names the slot; returns true if it did.
     */
    public boolean freeSwap(int pfn) {
        // folio_swapcache_freeable(): not while the page is being written
        if (!frames.test(pfn, PageFrames.PG_SWAPCACHE) || frames.test(pfn, PageFrames.PG_WRITEBACK) || count(entryOf(pfn)) > 0) {
            return false;
        }
        removeFromCache(pfn);
        return true;
    }

    /** Pages in the swap cache (SwapCached). */
    public long cachedPages() {
        return cached;
    }

    /** Number of devices. */
    public int devices() {
        return count.length;
    }

    /** Slots in use on device {@code d}. */
    public long usedOn(int d) {
        long n = 0;
        for (int i = 0; i < count[d].length; i++) {
            if (count[d][i] > 0 || cachePfn[d][i] >= 0) {
                n++;
            }
        }
        return n;
    }

    /** {@code get_swap_page()}: a free slot as a swap entry with a count of 0, or 0 if swap is full. */
    public long alloc() {
        if (used == total) {
            return 0;
        }
        for (int d = 0; d < count.length; d++) {
            int[] c = count[d];
            int n = c.length;
            for (int k = 0; k < n; k++) {
                int off = cursor[d] + k;
                if (off >= n) {
                    off -= n;
                }
                if (c[off] == 0 && cachePfn[d][off] < 0) {
                    cursor[d] = off + 1 == n ? 0 : off + 1;
                    used++;
                    shadow[d][off] = 0;
            shadowDomain[d][off] = 0;
                    return Pte.swapEntry(d, off);
                }
            }
        }
        return 0;
    }

    /** The number of page-table entries holding {@code entry}. */
    public int count(long entry) {
        return count[Pte.swapType(entry)][(int) Pte.swapOffset(entry)];
    }

    /** {@code swap_duplicate()}: one more entry refers to the slot. */
    public void dup(long entry) {
        count[Pte.swapType(entry)][(int) Pte.swapOffset(entry)]++;
    }

    /**
     * {@code swap_free()}: one entry referring to the slot went away. When none is left, the
     * slot is freed, and a page in the swap cache for it leaves the cache unless it is mapped
     * and swap is not full (see the class comment).
     */
    public void put(long entry) {
        int d = Pte.swapType(entry);
        int off = (int) Pte.swapOffset(entry);
        if (count[d][off] <= 0) {
            throw new IllegalStateException("swap entry " + d + ":" + off + " freed more often than it was used");
        }
        if (--count[d][off] == 0) {
            int pfn = cachePfn[d][off];
            if (pfn >= 0) {
                // __try_to_reclaim_swap() leaves a page under writeback in the cache (and its
                // slot in use) until reclaim frees it after the write
                if ((frames.mapcount(pfn) == 0 || full()) && !frames.test(pfn, PageFrames.PG_WRITEBACK)
                        && !batchHeld.test(pfn)) {
                    removeFromCache(pfn); // which releases the slot
                }
            } else {
                release(d, off);
            }
        }
    }

    private void release(int d, int off) {
        if (count[d][off] == 0 && cachePfn[d][off] < 0) {
            slotContents.clear((d << OFFSET_BITS) | off);
            shadow[d][off] = 0;
            shadowDomain[d][off] = 0;
            used--;
        }
    }

    /** Sets which pages a per-CPU folio batch holds (see {@link #put}). */
    public void setBatchHeld(java.util.function.IntPredicate held) {
        this.batchHeld = held;
    }

    /** The page in the swap cache for {@code entry}, or -1 ({@code swap_cache_get_folio()}). */
    public int lookup(long entry) {
        return cachePfn[Pte.swapType(entry)][(int) Pte.swapOffset(entry)];
    }

    /** {@code add_to_swap_cache()}. */
    public void addToCache(int pfn, long entry) {
        int d = Pte.swapType(entry);
        int off = (int) Pte.swapOffset(entry);
        cachePfn[d][off] = pfn;
        frames.set(pfn, PageFrames.PG_SWAPCACHE);
        frames.setPriv(pfn, (d << OFFSET_BITS) | off);
        if (contents != null && slotContents.has(frames.priv(pfn))) {
            contents.set(pfn, slotContents.get(frames.priv(pfn))); // swap-in reads the contents back
        }
        cached++;
    }

    /** The swap entry of a page in the swap cache. */
    public long entryOf(int pfn) {
        int code = frames.priv(pfn);
        return Pte.swapEntry(code >>> OFFSET_BITS, code & ((1 << OFFSET_BITS) - 1));
    }

    /**
     * {@code delete_from_swap_cache()}: the page leaves the swap cache; the slot is freed if no
     * entry refers to it any more.
     */
    public void removeFromCache(int pfn) {
        long entry = entryOf(pfn);
        int d = Pte.swapType(entry);
        int off = (int) Pte.swapOffset(entry);
        if (contents != null && count[d][off] > 0 && contents.has(pfn)) {
            slotContents.set((d << OFFSET_BITS) | off, contents.get(pfn)); // the slot keeps what the page held
        }
        cachePfn[d][off] = -1;
        frames.clear(pfn, PageFrames.PG_SWAPCACHE);
        frames.setPriv(pfn, 0);
        cached--;
        release(d, off);
    }

    /** Migration: the swap cache's page {@code from} is now {@code to} (which has its flags); the slot code in {@code priv} follows. */
    public void replace(int from, int to) {
        frames.setPriv(to, frames.priv(from));
        long entry = entryOf(to);
        int d = Pte.swapType(entry);
        int off = (int) Pte.swapOffset(entry);
        if (cachePfn[d][off] != from) {
            throw new IllegalStateException("PFN " + from + " is not in the swap cache slot PFN " + to + " names");
        }
        cachePfn[d][off] = to;
    }

    /** Stores the shadow entry of an evicted page in its slot. */
    public void setShadow(long entry, long value) {
        setShadow(entry, value, 0);
    }

    /** Stores the shadow entry of a page evicted from LRU domain {@code domain} ({@code pack_shadow()}). */
    public void setShadow(long entry, long value, int domain) {
        shadow[Pte.swapType(entry)][(int) Pte.swapOffset(entry)] = value;
        shadowDomain[Pte.swapType(entry)][(int) Pte.swapOffset(entry)] = (char) domain;
    }

    /** The LRU domain the shadow in the slot was left by. */
    public int shadowDomain(long entry) {
        return shadowDomain[Pte.swapType(entry)][(int) Pte.swapOffset(entry)];
    }

    /** The shadow entry stored in the slot. */
    public long shadow(long entry) {
        return shadow[Pte.swapType(entry)][(int) Pte.swapOffset(entry)];
    }

    /** The sum of every slot's count: the swap entries held by page tables. */
    public long totalCount() {
        long n = 0;
        for (int[] c : count) {
            for (int v : c) {
                n += v;
            }
        }
        return n;
    }

    /** Checks that the used-slot count matches the slots and the cache count matches the pages. */
    public void verify() {
        long u = 0;
        long c = 0;
        for (int d = 0; d < count.length; d++) {
            for (int off = 0; off < count[d].length; off++) {
                if (count[d][off] < 0) {
                    throw new IllegalStateException("swap slot " + d + ":" + off + " has count " + count[d][off]);
                }
                int pfn = cachePfn[d][off];
                if (pfn >= 0) {
                    c++;
                    if (!frames.test(pfn, PageFrames.PG_SWAPCACHE) || entryOf(pfn) != Pte.swapEntry(d, off)) {
                        throw new IllegalStateException("swap cache of slot " + d + ":" + off + " names PFN " + pfn + " which is not its page");
                    }
                }
                if (count[d][off] > 0 || pfn >= 0) {
                    u++;
                }
            }
        }
        if (u != used || c != cached) {
            throw new IllegalStateException("swap: " + used + " slots counted used but " + u + " are; " + cached
                    + " pages counted cached but " + c + " are");
        }
    }
}
