package io.vmsim.policies.lru;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.Arrays;

/**
 * LIRS, low inter-reference recency set: S. Jiang and X. Zhang, "LIRS: An Efficient Low
 * Inter-reference Recency Set Replacement Policy to Improve Buffer Cache Performance",
 * SIGMETRICS 2002 (section 3.3). Pages with low inter-reference recency (LIR) hold most
 * frames; resident HIR pages, {@code hir_share} of the frames (1% in the paper's
 * experiments), sit in queue Q and are the only victims. Stack S orders LIR pages, resident
 * HIR pages and non-resident HIR pages by recency, and is pruned so its bottom is LIR.
 *
 * <p>Q lives in the frames' links. S mixes resident frames and non-resident keys, so it is a
 * doubly-linked list of its own over entry ids: a resident page's id is its frame number, a
 * non-resident page gets an id above the frame count from a free pool, and eviction or refault
 * swaps one id for the other in place.
 *
 * <p>The paper leaves S unbounded (it holds at most every distinct page). With
 * {@code stack_limit = k > 0}, S is held to k times the frames by dropping the non-resident
 * HIR entries that became non-resident longest ago, as libCacheSim does with k = 2.
 */
public final class LirsPolicy implements ReclaimPolicy {
    private static final int IN_Q = 1;
    private static final int LIR = 2;
    private static final int IN_S = 4;
    private static final int NIL = -1;

    private final PageLists lists;
    private final FrameView frames;
    private final int nrFrames;
    private final int lirCap;
    private final int q;
    private int lirCount;

    // Stack S: top = sHead (most recent), bottom = sTail.
    private int[] sPrev;
    private int[] sNext;
    private int sHead = NIL;
    private int sTail = NIL;
    private int sSize;
    // Non-resident entries: ids nrFrames.. ; key per id and a free stack.
    private long[] nonresKey;
    private int[] freeIds;
    private int nrFree;
    private int nextId;
    private final LongLongMap nonres;
    private final long stackLimit;
    private final GhostList nonresOrder;

    /**
     * LIRS for {@code capacity} frames.
     *
     * @param hirShare   the share of frames for resident HIR pages (at least one frame)
     * @param stackLimit S holds at most this many times {@code capacity} entries; 0 for no bound
     */
    public LirsPolicy(PageLists lists, FrameView frames, int capacity, double hirShare, double stackLimit) {
        this.lists = lists;
        this.frames = frames;
        this.nrFrames = frames.nrFrames();
        int hir = Math.max(1, (int) (capacity * hirShare));
        this.lirCap = Math.max(1, capacity - hir);
        this.q = lists.newList();
        int cap = nrFrames * 2 + 16;
        sPrev = new int[cap];
        sNext = new int[cap];
        nonresKey = new long[cap];
        freeIds = new int[16];
        nextId = nrFrames;
        nonres = new LongLongMap(capacity);
        this.stackLimit = stackLimit > 0 ? Math.max(capacity + 1L, (long) (stackLimit * capacity)) : 0;
        this.nonresOrder = stackLimit > 0 ? new GhostList(capacity) : null;
    }

    /** Drops the oldest non-resident entries while S is over its bound. */
    private void limitStack() {
        while (stackLimit > 0 && sSize > stackLimit && nonresOrder.size() > 0) {
            long key = nonresOrder.removeOldest();
            int id = (int) nonres.get(key);
            sUnlink(id);
            freeId(id);
        }
    }

    @Override
    public boolean observesEveryAccess() {
        return true;
    }

    int lirCount() {
        return lirCount;
    }

    int hirResident() {
        return lists.size(q);
    }

    int stackSize() {
        return sSize;
    }

    boolean isLir(int pfn) {
        return (lists.bits(pfn) & LIR) != 0;
    }

    // ---- stack S

    private void sPush(int id) {
        sPrev[id] = NIL;
        sNext[id] = sHead;
        if (sHead != NIL) {
            sPrev[sHead] = id;
        } else {
            sTail = id;
        }
        sHead = id;
        sSize++;
    }

    private void sUnlink(int id) {
        int p = sPrev[id];
        int n = sNext[id];
        if (p != NIL) {
            sNext[p] = n;
        } else {
            sHead = n;
        }
        if (n != NIL) {
            sPrev[n] = p;
        } else {
            sTail = p;
        }
        sSize--;
    }

    /** Puts {@code to} where {@code from} is in S. */
    private void sReplace(int from, int to) {
        int p = sPrev[from];
        int n = sNext[from];
        sPrev[to] = p;
        sNext[to] = n;
        if (p != NIL) {
            sNext[p] = to;
        } else {
            sHead = to;
        }
        if (n != NIL) {
            sPrev[n] = to;
        } else {
            sTail = to;
        }
    }

    private int allocId(long key) {
        int id;
        if (nrFree > 0) {
            id = freeIds[--nrFree];
        } else {
            id = nextId++;
            if (id >= sPrev.length) {
                int cap = sPrev.length * 2;
                sPrev = Arrays.copyOf(sPrev, cap);
                sNext = Arrays.copyOf(sNext, cap);
                nonresKey = Arrays.copyOf(nonresKey, cap);
            }
        }
        nonresKey[id] = key;
        nonres.put(key, id);
        return id;
    }

    private void freeId(int id) {
        nonres.remove(nonresKey[id]);
        if (nonresOrder != null) {
            nonresOrder.remove(nonresKey[id]);
        }
        if (nrFree == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, nrFree * 2);
        }
        freeIds[nrFree++] = id;
    }

    /** Removes HIR entries from the bottom of S until a LIR page is there (section 3.3). */
    private void prune() {
        while (sTail != NIL) {
            int id = sTail;
            if (id < nrFrames) {
                int b = lists.bits(id);
                if ((b & LIR) != 0) {
                    return;
                }
                sUnlink(id);
                lists.setBits(id, b & ~IN_S);
            } else {
                sUnlink(id);
                freeId(id);
            }
        }
    }

    /** The LIR page at the bottom of S becomes a resident HIR page at the end of Q. */
    private void demoteBottom() {
        int id = sTail;
        if (id == NIL || id >= nrFrames) {
            return;
        }
        sUnlink(id);
        lists.setBits(id, IN_Q);
        lists.addHead(q, id);
        lirCount--;
        prune();
    }

    private void makeLir(int pfn) {
        int b = lists.bits(pfn);
        if ((b & IN_Q) != 0) {
            lists.remove(q, pfn);
        }
        lists.setBits(pfn, LIR | IN_S);
        lirCount++;
    }

    // ---- policy

    @Override
    public void pageAccessed(int pfn, boolean write) {
        int b = lists.bits(pfn);
        if ((b & LIR) != 0) {
            boolean wasBottom = sTail == pfn;
            sUnlink(pfn);
            sPush(pfn);
            if (wasBottom) {
                prune();
            }
        } else if ((b & IN_S) != 0) {
            // Resident HIR in S: its new IRR is below the bottom LIR's recency; swap them.
            sUnlink(pfn);
            sPush(pfn);
            makeLir(pfn);
            if (lirCount > lirCap) {
                demoteBottom();
            }
        } else if ((b & IN_Q) != 0) {
            sPush(pfn);
            lists.setBits(pfn, b | IN_S);
            lists.moveToHead(q, pfn);
            limitStack();
        }
    }

    /**
     * A readahead page has no recency yet: it waits in Q as a resident HIR page outside S, so
     * its first use pushes it onto S exactly as a new page's first reference does. A page that
     * still has a non-resident entry in S takes that entry's place there, keeping its recency.
     */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if (lists.bits(pfn) != 0) {
            return;
        }
        long e = nonres.get(frames.pageKey(pfn));
        if (e != LongLongMap.MISSING) {
            int id = (int) e;
            sReplace(id, pfn);
            freeId(id);
            lists.setBits(pfn, IN_S | IN_Q);
        } else {
            lists.setBits(pfn, IN_Q);
        }
        lists.addHead(q, pfn);
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if (lists.bits(pfn) != 0) {
            return;
        }
        long key = frames.pageKey(pfn);
        long e = nonres.get(key);
        if (e != LongLongMap.MISSING) {
            // A non-resident HIR page still in S: it becomes LIR at the top of S.
            int id = (int) e;
            sReplace(id, pfn);
            freeId(id);
            sUnlink(pfn);
            sPush(pfn);
            makeLir(pfn);
            if (lirCount > lirCap) {
                demoteBottom();
            }
            return;
        }
        sPush(pfn);
        if (lirCount < lirCap) {
            lists.setBits(pfn, LIR | IN_S);
            lirCount++;
        } else {
            lists.setBits(pfn, IN_S | IN_Q);
            lists.addHead(q, pfn);
            limitStack();
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        int b = lists.bits(pfn);
        if ((b & IN_Q) != 0) {
            lists.remove(q, pfn);
        }
        if ((b & IN_S) != 0) {
            sUnlink(pfn);
            prune();
        }
        if ((b & LIR) != 0) {
            lirCount--;
        }
        lists.setBits(pfn, 0);
    }

    @Override
    public void shrink(ScanControl sc) {
        int budget = size();
        while (sc.nrToReclaim() > 0 && budget-- > 0) {
            if (lists.size(q) == 0) {
                demoteBottom(); // no resident HIR page (tiny caches): the coldest LIR page goes
                if (lists.size(q) == 0) {
                    return;
                }
            }
            int victim = lists.tail(q);
            int b = lists.bits(victim);
            long key = frames.pageKey(victim);
            lists.remove(q, victim);
            sc.scanned(1);
            if (!sc.reclaim(victim)) {
                lists.addHead(q, victim);
                continue;
            }
            lists.setBits(victim, 0);
            if ((b & IN_S) != 0) {
                // Stays in S as a non-resident HIR page.
                int id = allocId(key);
                sReplace(victim, id);
                if (nonresOrder != null) {
                    nonresOrder.add(key);
                }
            }
        }
    }

    @Override
    public int size() {
        return lirCount + lists.size(q);
    }

    @Override
    public void verifyInvariants() {
        Lists.verify(lists, q, "lirs Q", pfn -> (lists.bits(pfn) & (IN_Q | LIR)) == IN_Q);
        int count = 0;
        int lir = 0;
        int prev = NIL;
        for (int id = sHead; id != NIL; id = sNext[id]) {
            if (sPrev[id] != prev) {
                throw new IllegalStateException("lirs S: entry " + id + " has prev " + sPrev[id] + ", expected " + prev);
            }
            if (id < nrFrames) {
                if ((lists.bits(id) & IN_S) == 0) {
                    throw new IllegalStateException("lirs S: frame " + id + " linked but not marked in S");
                }
                if ((lists.bits(id) & LIR) != 0) {
                    lir++;
                }
            } else if (nonres.get(nonresKey[id]) != id) {
                throw new IllegalStateException("lirs S: non-resident entry " + id + " not in the key map");
            }
            if (++count > sSize) {
                throw new IllegalStateException("lirs S: longer than its size " + sSize);
            }
            prev = id;
        }
        if (count != sSize || prev != sTail) {
            throw new IllegalStateException("lirs S: walked " + count + " entries, size " + sSize);
        }
        if (lir != lirCount || lirCount > lirCap) {
            throw new IllegalStateException("lirs: " + lir + " LIR pages in S, count " + lirCount + ", cap " + lirCap);
        }
        if (sTail != NIL && (sTail >= nrFrames || (lists.bits(sTail) & LIR) == 0)) {
            throw new IllegalStateException("lirs: bottom of S is not LIR");
        }
    }
}
