package io.vmsim.policies.lru;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.Arrays;

/**
 * CLOCK-Pro: S. Jiang, F. Chen, X. Zhang, "CLOCK-Pro: An Effective Improvement of the CLOCK
 * Replacement", USENIX ATC 2005 (section 3). LIRS's reuse-distance idea on a clock: one
 * circular list of hot pages, cold resident pages and non-resident cold pages in their test
 * period, swept by three hands. HAND-cold evicts cold pages with a clear reference bit (a cold
 * page in its test period stays on the list as non-resident), turns a referenced cold page in
 * its test period hot, and starts a test period for other referenced cold pages; HAND-hot
 * turns a hot page with a clear bit cold and ends the test periods it passes; HAND-test keeps
 * the non-resident pages at most the number of frames. The cold-page target {@code mc}
 * grows by one when a cold page, resident or non-resident, is accessed in its test period
 * (section 4.3 of the paper: a resident one when HAND-cold finds it referenced, a non-resident
 * one when it faults back in) and shrinks by one when a test period ends unused, within
 * 1 .. frames-1.
 *
 * <p>Reference bits are the accessed bits ({@link ScanControl#testAndClearYoung}). The list is
 * an array of entry ids: a resident page's id is its frame, a non-resident page's an id above
 * the frames. Simplifications: the initial cold target is {@code cold_share} of the frames
 * (1% by default; the paper does not fix it); HAND-hot is run by the next reclaim when a
 * refault makes too many pages hot, since only reclaim can read accessed bits.
 */
public final class ClockProPolicy implements ReclaimPolicy {
    /** Resident pages used through a system call since the hand last passed them. */
    private final java.util.BitSet marked = new java.util.BitSet();

    private static final int NIL = -1;
    private static final int RESIDENT = 1;
    private static final int HOT = 2;
    private static final int TEST = 4;

    private final PageLists lists;
    private final FrameView frames;
    private final int nrFrames;
    private final int m;
    private int mc;

    private int[] next;
    private int[] prev;
    private long[] nonresKey;
    private boolean[] nonresTest;
    private int[] freeIds = new int[16];
    private int nrFree;
    private int nextId;
    private final LongLongMap nonres;

    private int handHot = NIL;
    private int handCold = NIL;
    private int handTest = NIL;
    private int nHot;
    private int nCold;
    private int nNonres;
    private boolean hotOverTarget;

    /** CLOCK-Pro for {@code capacity} frames with an initial cold target of {@code coldShare} of them. */
    public ClockProPolicy(PageLists lists, FrameView frames, int capacity, double coldShare) {
        this.lists = lists;
        this.frames = frames;
        this.nrFrames = frames.nrFrames();
        this.m = Math.max(1, capacity);
        this.mc = clampMc((int) (capacity * coldShare));
        int cap = nrFrames * 2 + 16;
        next = new int[cap];
        prev = new int[cap];
        nonresKey = new long[cap];
        nextId = nrFrames;
        nonres = new LongLongMap(capacity);
    }

    private int clampMc(int v) {
        return Math.max(1, Math.min(Math.max(1, m - 1), v));
    }

    int coldTarget() {
        return mc;
    }

    int hotPages() {
        return nHot;
    }

    int nonResident() {
        return nNonres;
    }

    boolean isHot(int pfn) {
        return (lists.bits(pfn) & HOT) != 0;
    }

    // ---- the circle

    private boolean resident(int id) {
        return id < nrFrames;
    }

    /** Inserts at the list head: just behind HAND-hot, so every hand reaches it last. */
    private void insertHead(int id) {
        if (handHot == NIL) {
            next[id] = id;
            prev[id] = id;
            handHot = id;
            handCold = id;
            handTest = id;
            return;
        }
        int before = prev[handHot];
        next[before] = id;
        prev[id] = before;
        next[id] = handHot;
        prev[handHot] = id;
    }

    private void unlink(int id) {
        int n = next[id];
        int p = prev[id];
        boolean last = n == id;
        if (handHot == id) {
            handHot = last ? NIL : n;
        }
        if (handCold == id) {
            handCold = last ? NIL : n;
        }
        if (handTest == id) {
            handTest = last ? NIL : n;
        }
        if (!last) {
            next[p] = n;
            prev[n] = p;
        }
    }

    private void replace(int from, int to) {
        int n = next[from];
        int p = prev[from];
        if (n == from) {
            next[to] = to;
            prev[to] = to;
        } else {
            next[to] = n;
            prev[to] = p;
            next[p] = to;
            prev[n] = to;
        }
        handHot = handHot == from ? to : handHot;
        handCold = handCold == from ? to : handCold;
        handTest = handTest == from ? to : handTest;
    }

    private int allocId(long key) {
        int id;
        if (nrFree > 0) {
            id = freeIds[--nrFree];
        } else {
            id = nextId++;
            if (id >= next.length) {
                int cap = next.length * 2;
                next = Arrays.copyOf(next, cap);
                prev = Arrays.copyOf(prev, cap);
                nonresKey = Arrays.copyOf(nonresKey, cap);
            }
        }
        nonresKey[id] = key;
        nonres.put(key, id);
        return id;
    }

    private void freeId(int id) {
        nonres.remove(nonresKey[id]);
        if (nrFree == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, nrFree * 2);
        }
        freeIds[nrFree++] = id;
    }

    /** Removes a non-resident page whose test period ended unused: the cold target shrinks. */
    private void dropNonResident(int id) {
        unlink(id);
        freeId(id);
        nNonres--;
        mc = clampMc(mc - 1);
    }

    // ---- hands

    /**
     * Moves HAND-hot until it turns one hot page with a clear reference bit cold; on the way it
     * ends the test periods of the cold pages it passes and drops non-resident ones. False if
     * two turns found none (every hot page is pinned, or there is none).
     */
    private boolean demoteOneHot(ScanControl sc) {
        long budget = 2L * (nHot + nCold + nNonres) + 2;
        while (handHot != NIL && budget-- > 0) {
            int id = handHot;
            if (!resident(id)) {
                dropNonResident(id);
                continue;
            }
            int b = lists.bits(id);
            handHot = next[id];
            if ((b & HOT) == 0) {
                if ((b & TEST) != 0) {
                    lists.setBits(id, b & ~TEST);
                    mc = clampMc(mc - 1);
                }
                continue;
            }
            sc.scanned(1);
            if (!referenced(sc, id)) {
                lists.setBits(id, RESIDENT);
                nHot--;
                nCold++;
                return true;
            }
        }
        return false;
    }

    private void runHandHot(ScanControl sc) {
        while (nHot > m - mc && demoteOneHot(sc)) {
            // keep the hot pages within their share
        }
    }

    private void runHandTest() {
        long budget = 2L * (nHot + nCold + nNonres) + 2;
        while (nNonres > m && handTest != NIL && budget-- > 0) {
            int id = handTest;
            if (!resident(id)) {
                dropNonResident(id);
                continue;
            }
            int b = lists.bits(id);
            if ((b & (HOT | TEST)) == TEST) {
                lists.setBits(id, b & ~TEST);
                mc = clampMc(mc - 1);
            }
            handTest = next[id];
        }
    }

    // ---- policy

    /** Uses through a system call set the reference bit too, as for {@code clock}. */
    @Override
    public boolean observesMarkAccessed() {
        return true;
    }

    @Override
    public void pageMarkedAccessed(int pfn) {
        marked.set(pfn);
    }

    private boolean referenced(ScanControl sc, int pfn) {
        boolean m = marked.get(pfn);
        marked.clear(pfn);
        return sc.testAndClearYoung(pfn) | m;
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if (lists.bits(pfn) != 0) {
            return;
        }
        if (forgetNonResident(pfn)) {
            // Reused within its test period: the page is hot and cold pages deserve more room.
            mc = clampMc(mc + 1);
            lists.setBits(pfn, RESIDENT | HOT);
            insertHead(pfn);
            nHot++;
            hotOverTarget = nHot > m - mc;
            return;
        }
        lists.setBits(pfn, RESIDENT | TEST);
        insertHead(pfn);
        nCold++;
    }

    /** Drops the non-resident entry of the page in {@code pfn}, if it has one; returns whether it had. */
    private boolean forgetNonResident(int pfn) {
        long e = nonres.get(frames.pageKey(pfn));
        if (e == LongLongMap.MISSING) {
            return false;
        }
        int id = (int) e;
        unlink(id);
        freeId(id);
        nNonres--;
        return true;
    }

    /**
     * A readahead page has had no reference, so no test period: it enters cold, and its first
     * use (found by HAND-cold) starts one, as the first reference of a new page does.
     */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if (lists.bits(pfn) != 0) {
            return;
        }
        forgetNonResident(pfn);
        lists.setBits(pfn, RESIDENT);
        insertHead(pfn);
        nCold++;
    }

    @Override
    public void pageRemoved(int pfn) {
        marked.clear(pfn);
        int b = lists.bits(pfn);
        if (b == 0) {
            return;
        }
        unlink(pfn);
        if ((b & HOT) != 0) {
            nHot--;
        } else {
            nCold--;
        }
        lists.setBits(pfn, 0);
    }

    @Override
    public void shrink(ScanControl sc) {
        if (hotOverTarget) {
            runHandHot(sc);
            hotOverTarget = false;
        }
        long budget = 3L * (nHot + nCold + nNonres) + 4;
        while (sc.nrToReclaim() > 0 && handCold != NIL && budget-- > 0) {
            if (nCold == 0 && !demoteOneHot(sc)) {
                return; // every resident page is hot and none could be turned cold
            }
            int id = handCold;
            handCold = next[id];
            if (!resident(id)) {
                continue;
            }
            int b = lists.bits(id);
            if ((b & HOT) != 0) {
                continue;
            }
            sc.scanned(1);
            if (referenced(sc, id)) {
                unlink(id);
                if ((b & TEST) != 0) {
                    // Accessed in its test period: hot, and (resident or not) the cold target grows by one.
                    mc = clampMc(mc + 1);
                    lists.setBits(id, RESIDENT | HOT);
                    nCold--;
                    nHot++;
                    insertHead(id);
                    if (nHot > m - mc) {
                        runHandHot(sc);
                    }
                } else {
                    lists.setBits(id, RESIDENT | TEST);
                    insertHead(id);
                }
                continue;
            }
            long key = frames.pageKey(id);
            if (!sc.reclaim(id)) {
                continue;
            }
            marked.clear(id);
            nCold--;
            lists.setBits(id, 0);
            if ((b & TEST) != 0) {
                int ghost = allocId(key);
                replace(id, ghost);
                nNonres++;
                if (nNonres > m) {
                    runHandTest();
                }
            } else {
                unlink(id);
            }
        }
    }

    @Override
    public int size() {
        return nHot + nCold;
    }

    @Override
    public void verifyInvariants() {
        int hot = 0;
        int cold = 0;
        int ghosts = 0;
        if (handHot != NIL) {
            int id = handHot;
            int steps = 0;
            do {
                if (next[prev[id]] != id) {
                    throw new IllegalStateException("clock-pro: links broken at entry " + id);
                }
                if (resident(id)) {
                    if ((lists.bits(id) & HOT) != 0) {
                        hot++;
                    } else {
                        cold++;
                    }
                } else if (nonres.get(nonresKey[id]) != id) {
                    throw new IllegalStateException("clock-pro: non-resident entry " + id + " not in the key map");
                } else {
                    ghosts++;
                }
                id = next[id];
                if (++steps > nHot + nCold + nNonres) {
                    throw new IllegalStateException("clock-pro: circle longer than its counts");
                }
            } while (id != handHot);
        }
        if (hot != nHot || cold != nCold || ghosts != nNonres || ghosts != nonres.size()) {
            throw new IllegalStateException("clock-pro: walked " + hot + " hot, " + cold + " cold, " + ghosts
                    + " non-resident; counts " + nHot + ", " + nCold + ", " + nNonres);
        }
        if (nNonres > m || mc < 1 || mc > Math.max(1, m - 1)) {
            throw new IllegalStateException("clock-pro: " + nNonres + " non-resident pages, mc = " + mc + ", m = " + m);
        }
    }
}
