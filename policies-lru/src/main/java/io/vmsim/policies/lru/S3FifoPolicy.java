package io.vmsim.policies.lru;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * S3-FIFO: J. Yang, Y. Zhang, Z. Qiu, Y. Yue, K. V. Rashmi, "FIFO queues are all you need for
 * cache eviction", SOSP 2023 (Algorithm 1). A small FIFO S (10% of the frames) filters
 * one-hit wonders; a page hit at least {@code promote_hits} times while in S moves to the main
 * FIFO M on eviction, otherwise its key goes to the ghost FIFO G (as many keys as M has
 * frames), and a missing page found in G enters M directly. M is a CLOCK with a two-bit
 * frequency: a page with a non-zero count is reinserted with the count decremented.
 *
 * <p>One victim per call, in the manner of libCacheSim's implementation: evict from M when M
 * is over its share or S is empty, otherwise from S (the paper's EVICTS may also call EVICTM
 * and free two frames). The paper promotes after one hit ({@code promote_hits=1});
 * libCacheSim after two ({@code promote_hits=2}). Algorithm 1 moves a page to M with its
 * count; libCacheSim's {@code S3FIFO.c} inserts a fresh object, count 0
 * ({@code clear_count_on_promotion=true}).
 */
public final class S3FifoPolicy implements ReclaimPolicy {
    private static final int IN_S = 1;
    private static final int IN_M = 2;
    private static final int WHERE = 3;
    private static final int FREQ_SHIFT = 2;
    private static final int MAX_FREQ = 3;

    /** Pages that arrived unreferenced and are not used yet. */
    private final java.util.BitSet unused = new java.util.BitSet();

    private final PageLists lists;
    private final FrameView frames;
    private final int s;
    private final int m;
    private final int smallCap;
    private final int mainCap;
    private final int promoteHits;
    private final GhostList ghost;
    private final boolean clearOnPromotion;

    /**
     * S3-FIFO for {@code capacity} frames.
     *
     * @param smallRatio  share of the frames for S
     * @param promoteHits hits in S that earn promotion to M
     * @param clearOnPromotion a page promoted from S enters M with its count cleared (libCacheSim)
     */
    public S3FifoPolicy(PageLists lists, FrameView frames, int capacity, double smallRatio, int promoteHits,
                        boolean clearOnPromotion) {
        this.lists = lists;
        this.frames = frames;
        this.s = lists.newList();
        this.m = lists.newList();
        this.smallCap = Math.max(1, (int) (capacity * smallRatio));
        this.mainCap = Math.max(1, capacity - smallCap);
        this.promoteHits = promoteHits;
        this.ghost = new GhostList(mainCap);
        this.clearOnPromotion = clearOnPromotion;
    }

    @Override
    public boolean observesEveryAccess() {
        return true;
    }

    int smallSize() {
        return lists.size(s);
    }

    int mainSize() {
        return lists.size(m);
    }

    boolean inGhost(long key) {
        return ghost.contains(key);
    }

    /**
     * A readahead page enters S with no hits, marked unused, and any ghost entry it had is
     * forgotten; its first use is its first reference and counts no hit.
     */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if ((lists.bits(pfn) & WHERE) != 0) {
            return;
        }
        ghost.remove(frames.pageKey(pfn));
        lists.addHead(s, pfn);
        lists.setBits(pfn, IN_S);
        unused.set(pfn);
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        if (unused.get(pfn)) {
            unused.clear(pfn);
            return;
        }
        int b = lists.bits(pfn);
        int f = b >>> FREQ_SHIFT;
        if ((b & WHERE) != 0 && f < MAX_FREQ) {
            lists.setBits(pfn, (b & WHERE) | (f + 1) << FREQ_SHIFT);
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if ((lists.bits(pfn) & WHERE) != 0) {
            return;
        }
        long key = frames.pageKey(pfn);
        if (ghost.remove(key)) {
            lists.addHead(m, pfn);
            lists.setBits(pfn, IN_M);
        } else {
            lists.addHead(s, pfn);
            lists.setBits(pfn, IN_S);
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        unused.clear(pfn);
        int w = lists.bits(pfn) & WHERE;
        if (w != 0) {
            lists.remove(w == IN_S ? s : m, pfn);
            lists.setBits(pfn, 0);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        // Each page moves at most once from S to M and is passed at most MAX_FREQ times in M.
        long budget = (MAX_FREQ + 2L) * size() + 1;
        while (sc.nrToReclaim() > 0 && budget-- > 0 && size() > 0) {
            if (lists.size(m) > mainCap || lists.size(s) == 0) {
                evictMain(sc);
            } else {
                evictSmall(sc);
            }
        }
    }

    private void evictSmall(ScanControl sc) {
        int pfn = lists.tail(s);
        int b = lists.bits(pfn);
        lists.remove(s, pfn);
        sc.scanned(1);
        if ((b >>> FREQ_SHIFT) >= promoteHits) {
            // Moves to M keeping its count, as Algorithm 1 does; libCacheSim starts it afresh.
            lists.addHead(m, pfn);
            lists.setBits(pfn, clearOnPromotion ? IN_M : (b & ~WHERE) | IN_M);
            return;
        }
        long key = frames.pageKey(pfn);
        lists.setBits(pfn, 0);
        if (sc.reclaim(pfn)) {
            unused.clear(pfn);
            ghost.add(key);
            while (ghost.size() > mainCap) {
                ghost.removeOldest();
            }
        } else {
            lists.addHead(s, pfn);
            lists.setBits(pfn, b);
        }
    }

    private void evictMain(ScanControl sc) {
        int pfn = lists.tail(m);
        int b = lists.bits(pfn);
        lists.remove(m, pfn);
        sc.scanned(1);
        int f = b >>> FREQ_SHIFT;
        if (f > 0) {
            lists.addHead(m, pfn);
            lists.setBits(pfn, IN_M | (f - 1) << FREQ_SHIFT);
            return;
        }
        lists.setBits(pfn, 0);
        if (sc.reclaim(pfn)) {
            unused.clear(pfn);
        } else {
            lists.addHead(m, pfn);
            lists.setBits(pfn, IN_M);
        }
    }

    @Override
    public int size() {
        return lists.size(s) + lists.size(m);
    }

    @Override
    public void verifyInvariants() {
        Lists.verify(lists, s, "s3fifo S", pfn -> (lists.bits(pfn) & WHERE) == IN_S);
        Lists.verify(lists, m, "s3fifo M", pfn -> (lists.bits(pfn) & WHERE) == IN_M);
        ghost.verify("s3fifo G");
        if (ghost.size() > mainCap) {
            throw new IllegalStateException("s3fifo: ghost holds " + ghost.size() + " keys, more than " + mainCap);
        }
    }
}
