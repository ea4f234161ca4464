package io.vmsim.core.vmscan;

import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.filemap.StorageCosts;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmstat.VmEvent;

/**
 * Asynchronous writeback of anonymous pages to swap on simulated time (Linux 6.18:
 * {@code pageout()} in {@code mm/vmscan.c}, {@code swap_writeout()}/{@code __swap_writepage()}
 * in {@code mm/page_io.c}, {@code folio_end_writeback()} and {@code folio_rotate_reclaimable()}
 * in {@code mm/filemap.c} and {@code mm/swap.c}).
 *
 * <p>{@link #start} is {@code pageout()} of a page already in the swap cache and unmapped: it
 * sets PG_writeback and PG_reclaim, counts {@code pswpout}, {@code pgpgout} and
 * {@code nr_vmscan_write}, and queues the write on the swap device. The device takes one request
 * per page, {@code cost.io_latency_ns} after it was submitted, and transfers one page at a time
 * ({@code cost.io_page_ns}): a write completes at {@code max(submitted + latency, previous
 * completion) + transfer}. The submitter does not wait. The page stays in the swap cache,
 * charged to its memory cgroup and on its LRU list (the reclaim policy put it back, as
 * {@code shrink_folio_list()} keeps it), and cannot be freed while the write is in flight:
 * reclaim refuses it, {@code folio_free_swap()} refuses it, and the last swap entry naming its
 * slot leaves it in the swap cache ({@code __try_to_reclaim_swap()}).
 *
 * <p>{@link #complete} ends the writes whose time has come ({@code folio_end_writeback()}): the
 * page is clean in the swap cache, and a page reclaim wrote (PG_reclaim) is moved to the tail of
 * its inactive list if it is still there ({@link ReclaimPolicy#pageRotated}, {@code pgrotated}),
 * where the next reclaim frees it without writing. Completions are applied on simulated time
 * between references (a {@link Daemons} entry that stands for the block layer's completion
 * interrupt and uses no CPU time), and within reclaim before each page it looks at and when a
 * reclaimer waits ({@link #waitFor}, {@link #waitForWrites}). Simplification: a page under writeback that its process maps
 * again and then unmaps is freed with its write in flight (Linux's writeback holds a reference);
 * the write's completion then finds the frame no longer under writeback and does nothing.
 */
final class SwapWriteback {
    private final Kernel k;
    private final PageFrames frames;
    private final StorageCosts cost;
    private final Daemons daemons;
    private int endIo = -1;
    /** Pages in flight, in submission order, with the simulated picosecond their write completes. */
    private int[] pfns = new int[256];
    private long[] donePs = new long[256];
    private int head;
    private int size;
    /** When the device finishes the last write queued. */
    private long lastDonePs;
    /** The victim reclaim holds off the policy's lists now, which a completion must not rotate; -1 if none. */
    private int isolated = -1;

    SwapWriteback(Kernel kernel, StorageCosts cost, Daemons daemons) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.cost = cost;
        this.daemons = daemons;
    }

    /**
     * The I/O completions (Linux: the block layer's end_io in interrupt context, not a thread) run
     * on simulated time between references, at the first completion due; registered with the
     * first write, so that a machine that never writes asynchronously has no such entry.
     */
    private int endIo() {
        if (endIo >= 0) {
            return endIo;
        }
        endIo = daemons.register(new Daemons.Daemon() {
            @Override
            public String name() {
                return "swap-end_io";
            }

            @Override
            public long run(long nowNs) {
                complete();
                return size == 0 ? -1 : Math.max(1, nextCompletionNs());
            }
        }, -1);
        return endIo;
    }

    /** Writes queued and not yet ended by {@link #complete} (some may be due). */
    long inFlight() {
        return size;
    }

    /** Writes whose completion time is after now: swap's share of {@code nr_writeback}. Allocates nothing, changes nothing. */
    long nrWriteback() {
        long now = k.clock.picoTime();
        int due = 0;
        while (due < size && donePs[(head + due) % pfns.length] <= now) {
            due++;
        }
        return size - due;
    }

    /** {@code pageout()} of swap-cache page {@code pfn}: starts its write, see the class comment. */
    void start(int pfn) {
        frames.clear(pfn, PageFrames.PG_DIRTY); // folio_clear_dirty_for_io()
        frames.set(pfn, PageFrames.PG_WRITEBACK | PageFrames.PG_RECLAIM);
        k.vmstat.count(VmEvent.PSWPOUT);
        k.vmstat.add(VmEvent.PGPGOUT, 4);
        k.vmstat.count(VmEvent.NR_VMSCAN_WRITE);
        long done = Math.max(k.clock.picoTime() + cost.ioLatencyPs(), lastDonePs) + cost.ioPagePs();
        lastDonePs = done;
        add(pfn, done);
        int id = endIo();
        if (daemons.sleeping(id)) {
            daemons.wake(id); // it then sleeps until the first completion
        }
    }

    /** Ends every write whose completion time is not after now. */
    void complete() {
        complete(-1);
    }

    /**
     * Ends every write whose completion time is not after now, while reclaim holds page
     * {@code victim} off the policy's lists (it is not rotated: reclaim has it in hand).
     */
    void complete(int victim) {
        isolated = victim;
        try {
            completeDue();
        } finally {
            isolated = -1;
        }
    }

    private void completeDue() {
        long now = k.clock.picoTime();
        while (size > 0 && donePs[head] <= now) {
            end(poll());
        }
    }

    /**
     * {@code folio_wait_writeback()} by a reclaimer: the clock advances to the completion of
     * {@code pfn}'s write (the caller pays the wait), and every write done by then ends.
     * Returns false if the page is not under a swap write.
     */
    boolean waitFor(int pfn) {
        if (!frames.test(pfn, PageFrames.PG_WRITEBACK) || !frames.test(pfn, PageFrames.PG_SWAPCACHE)) {
            return false;
        }
        isolated = pfn;
        try {
            while (size > 0 && frames.test(pfn, PageFrames.PG_WRITEBACK)) {
                long wait = donePs[head] - k.clock.picoTime();
                if (wait > 0) {
                    k.clock.advance(wait);
                }
                end(poll());
            }
        } finally {
            isolated = -1;
        }
        return !frames.test(pfn, PageFrames.PG_WRITEBACK);
    }

    /** Simulated nanoseconds from now until the first write in flight completes (0 if none or due). */
    long nextCompletionNs() {
        if (size == 0) {
            return 0;
        }
        return Math.max(0, (donePs[head] - k.clock.picoTime() + 999) / 1000);
    }

    /**
     * {@code reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)}: the caller sleeps until {@code n} of the
     * writes in flight (all of them if fewer) have completed; the clock advances to the last of
     * those completions, and every write done by then ends.
     */
    void waitForWrites(int n) {
        if (size == 0) {
            return;
        }
        long until = donePs[(head + Math.min(n, size) - 1) % pfns.length];
        long wait = until - k.clock.picoTime();
        if (wait > 0) {
            k.clock.advance(wait);
        }
        complete();
    }

    /** {@code folio_end_writeback()}. */
    private void end(int pfn) {
        int f = frames.flags(pfn);
        if ((f & (PageFrames.PG_WRITEBACK | PageFrames.PG_SWAPCACHE)) != (PageFrames.PG_WRITEBACK | PageFrames.PG_SWAPCACHE)) {
            return; // freed while in flight (see the class comment)
        }
        frames.clear(pfn, PageFrames.PG_WRITEBACK);
        if ((f & PageFrames.PG_RECLAIM) != 0) {
            frames.clear(pfn, PageFrames.PG_RECLAIM);
            if (pfn != isolated) {
                rotate(pfn);
            }
        }
    }

    /** {@code folio_rotate_reclaimable()}: only a page on an evictable LRU list. */
    private void rotate(int pfn) {
        int f = frames.flags(pfn);
        int want = PageFrames.PG_LRU | PageFrames.PG_SWAPCACHE;
        if ((f & (want | PageFrames.PG_UNEVICTABLE | PageFrames.PG_MLOCKED | PageFrames.PG_WRITEBACK)) == want
                && k.reclaim.pageRotated(pfn)) {
            k.vmstat.count(VmEvent.PGROTATED);
        }
    }


    private void add(int pfn, long done) {
        if (size == pfns.length) {
            int[] np = new int[size * 2];
            long[] nd = new long[size * 2];
            for (int i = 0; i < size; i++) {
                np[i] = pfns[(head + i) % pfns.length];
                nd[i] = donePs[(head + i) % pfns.length];
            }
            pfns = np;
            donePs = nd;
            head = 0;
        }
        int t = (head + size) % pfns.length;
        pfns[t] = pfn;
        donePs[t] = done;
        size++;
    }

    private int poll() {
        int v = pfns[head];
        head = (head + 1) % pfns.length;
        size--;
        return v;
    }
}
