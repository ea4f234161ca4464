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
 * <p>Reclaim's writes are plugged ({@code blk_start_plug()}/{@code blk_finish_plug()} around each
 * {@code shrink_lruvec()} pass, {@link #startPlug}/{@link #finishPlug}): their bios merge into one
 * request (consecutive swap slots), which is submitted when the pass ends, or, when it holds
 * {@value #MAX_SEGMENTS} pages and another comes, before that one ({@code blk_add_rq_to_plug()}
 * flushes a plug whose last request reached {@code BLK_PLUG_FLUSH_SIZE}; the request cannot grow
 * past the disk's {@code max_segments}). All pages of a request complete together.
 * conformance/writeback/memcg-swap-trace.run*.json recorded it on Linux 6.18.44: one request a
 * pass, issued at its end, 254 pages at most.
 *
 * <p>{@link #complete} ends the writes whose time has come ({@code folio_end_writeback()}): the
 * page is clean in the swap cache, and a page reclaim wrote (PG_reclaim) goes to the completing
 * CPU's {@code lru_rotate} batch ({@code folio_rotate_reclaimable()}); when the batch holds
 * {@value #FOLIO_BATCH_SIZE} pages they move to the tail of their inactive lists
 * ({@link ReclaimPolicy#pageRotated}, {@code pgrotated} counted then, by {@code lru_move_tail()}),
 * where the next batch of reclaim frees them without writing. The completions run on one CPU, the
 * machine's last (the recording machine's virtio interrupt went to CPU 1 of 2 in every request
 * traced); only a reclaimer on that CPU drains the batch ({@code lru_add_drain()},
 * {@link #lruAddDrain}), so pages wait in it until it fills. A page in the batch cannot be freed by
 * reclaim, which puts it back at the head of its list ({@link #inRotateBatch}): Linux 6.18 leaves
 * PG_lru set while it waits ({@code folio_rotate_reclaimable()} only tests it, and
 * {@code folio_batch_move_lru()} clears it at the drain, skipping a page isolated meanwhile), so
 * reclaim may isolate it, but the batch's reference makes {@code __remove_mapping()}'s refcount
 * freeze fail and {@code shrink_folio_list()} keeps it; vmsim skips it, with the same outcome
 * (Linux 6.11 to 6.17 cleared PG_lru when batching, and isolation skipped it). The
 * batch's reference keeps it charged when the last swap entry naming its slot goes; vmsim leaves it
 * in the swap cache then, as a page under writeback (Linux takes it out of the swap cache and frees
 * it when the batch is drained). Completions are applied on simulated time
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
    /**
     * {@code queue/max_segments} of the recording machine's virtio disk: one segment a swap page,
     * so a plugged request holds 254 pages at most (conformance/writeback/memcg-swap-trace.run*.json).
     */
    static final int MAX_SEGMENTS = 254;
    /** {@code FOLIO_BATCH_SIZE} (include/linux/pagevec.h): the pages of a per-CPU folio batch. */
    static final int FOLIO_BATCH_SIZE = 31;
    private boolean plugged;
    private final int[] plug = new int[MAX_SEGMENTS];
    private int plugCount;
    /** The completing CPU's {@code cpu_fbatches.lru_move_tail}. */
    private final int[] rotateBatch = new int[FOLIO_BATCH_SIZE];
    private int rotateCount;

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

    /** Writes started and not yet ended by {@link #complete} (some may be due, some still plugged). */
    long inFlight() {
        return size + plugCount;
    }

    /** Writes whose completion time is after now: swap's share of {@code nr_writeback}. Allocates nothing, changes nothing. */
    long nrWriteback() {
        long now = k.clock.picoTime();
        int due = 0;
        while (due < size && donePs[(head + due) % pfns.length] <= now) {
            due++;
        }
        return size - due + plugCount;
    }

    /** {@code pageout()} of swap-cache page {@code pfn}: starts its write, see the class comment. */
    void start(int pfn) {
        frames.clear(pfn, PageFrames.PG_DIRTY); // folio_clear_dirty_for_io()
        frames.set(pfn, PageFrames.PG_WRITEBACK | PageFrames.PG_RECLAIM);
        k.vmstat.count(VmEvent.PSWPOUT);
        k.vmstat.add(VmEvent.PGPGOUT, 4);
        k.vmstat.count(VmEvent.NR_VMSCAN_WRITE);
        if (!plugged) {
            submit(pfn, 1);
            return;
        }
        if (plugCount == MAX_SEGMENTS) {
            flushPlug(); // blk_add_rq_to_plug(): the full request goes, the new one is plugged
        }
        plug[plugCount++] = pfn;
    }

    /** A request of {@code n} pages: it completes after the latency and its transfer, behind the device's queue. */
    private void submit(int pfn, int n) {
        long done = Math.max(k.clock.picoTime() + cost.ioLatencyPs(), lastDonePs) + n * cost.ioPagePs();
        lastDonePs = done;
        if (n == 1 && pfn >= 0) {
            add(pfn, done);
        } else {
            for (int i = 0; i < n; i++) {
                add(plug[i], done);
            }
        }
        int id = endIo();
        if (daemons.sleeping(id)) {
            daemons.wake(id); // it then sleeps until the first completion
        }
    }

    /** {@code blk_start_plug()}: reclaim's writes wait in the plug until {@link #finishPlug}. */
    void startPlug() {
        plugged = true;
    }

    /** {@code blk_finish_plug()}: the plugged request is submitted. */
    void finishPlug() {
        flushPlug();
        plugged = false;
    }

    /** {@code blk_flush_plug()}: submits the plugged pages as one request. */
    private void flushPlug() {
        if (plugCount > 0) {
            int n = plugCount;
            plugCount = 0;
            submit(-1, n);
        }
    }

    /** Page {@code pfn} was freed: it leaves the rotate batch ({@code forget} of a page no batch holds is a no-op). */
    void forget(int pfn) {
        for (int i = 0; i < rotateCount; i++) {
            if (rotateBatch[i] == pfn) {
                System.arraycopy(rotateBatch, i + 1, rotateBatch, i, rotateCount - i - 1);
                rotateCount--;
                return;
            }
        }
    }

    /** Whether {@code pfn} waits in the completing CPU's rotate batch (off the LRU for reclaim). */
    boolean inRotateBatch(int pfn) {
        for (int i = 0; i < rotateCount; i++) {
            if (rotateBatch[i] == pfn) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code lru_add_drain()} by a reclaimer on {@code cpu} ({@code shrink_inactive_list()} begins
     * with it): drains the rotate batch if the completions run on that CPU.
     */
    void lruAddDrain(int cpu) {
        if (rotateCount > 0 && cpu == completionCpu()) {
            drainRotate();
        }
    }

    /** The CPU the completions run on: the machine's last. */
    private int completionCpu() {
        return k.topology == null ? 0 : k.topology.nrCpus() - 1;
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
        flushPlug(); // the waiter sleeps: schedule() flushes its plug
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
        flushPlug(); // the waiter sleeps: schedule() flushes its plug
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
            if (pfn != isolated && rotatable(pfn) && !inRotateBatch(pfn)) {
                // folio_rotate_reclaimable(): into the completing CPU's batch, moved when it is full
                rotateBatch[rotateCount++] = pfn;
                if (rotateCount == FOLIO_BATCH_SIZE) {
                    drainRotate();
                }
            }
        }
    }

    /** {@code folio_rotate_reclaimable()}'s test: only a page on an evictable LRU list. */
    private boolean rotatable(int pfn) {
        int f = frames.flags(pfn);
        int want = PageFrames.PG_LRU | PageFrames.PG_SWAPCACHE;
        return (f & (want | PageFrames.PG_UNEVICTABLE | PageFrames.PG_MLOCKED | PageFrames.PG_WRITEBACK | PageFrames.PG_DIRTY)) == want;
    }

    /** {@code folio_batch_move_lru(lru_move_tail)}: the batch's pages go to their inactive tails, in order. */
    private void drainRotate() {
        int n = rotateCount;
        rotateCount = 0;
        for (int i = 0; i < n; i++) {
            int pfn = rotateBatch[i];
            // the victim reclaim holds is off the policy's lists (Linux cannot isolate a page in
            // the batch; vmsim's reclaim then finds it out of the batch and frees it)
            if (pfn != isolated && rotatable(pfn) && k.reclaim.pageRotated(pfn)) {
                k.vmstat.count(VmEvent.PGROTATED);
            }
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
