package io.vmsim.policies.lru;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.BitSet;

/**
 * ARC, the adaptive replacement cache: N. Megiddo and D. S. Modha, "ARC: A Self-Tuning, Low
 * Overhead Replacement Cache", USENIX FAST 2003 (Fig. 4). Resident lists T1 (seen once
 * recently) and T2 (seen at least twice) live in the frames' links; ghost lists B1 and B2
 * hold the keys of pages recently evicted from each. A hit in a ghost list moves the target
 * size {@code p} of T1 (starting at 0) towards the list that would have kept the page.
 *
 * <p>The paper adapts {@code p} and runs REPLACE knowing the missing page; a replacement study
 * tells us that page through {@link OfflineStudy.Study#incomingPageKey()} (both engines of
 * {@code vmsim mrc}). When it is unknown (the kernel's reclaim in {@code vmsim run}), REPLACE
 * runs as for a page in no ghost list and the adaptation happens when the page is added, after
 * the eviction. A study that numbers its pages ({@link OfflineStudy.Study#numbersPages()}) has
 * the ghost lists kept by page id, an array read per lookup, rather than by page key in hash
 * maps: the same lists and the same misses. If the study also keeps a word per page id
 * ({@link OfflineStudy.Study#keepsPageWords()}), the ghost entries are those words, in the cache
 * line of the study's own entry for the page.
 *
 * <p>A page that arrives unreferenced (readahead) enters T1 marked unused, leaving any ghost
 * entry it had; its first use only refreshes it in T1, as the first reference of a page would,
 * so readahead never promotes a page to T2.
 */
public final class ArcPolicy implements ReclaimPolicy, OfflineStudy {
    private static final long NO_PAGE_KEY = Study.NO_PAGE_KEY;

    private final FrameView frames;
    private int c;
    private final PfnList t1;
    private final PfnList t2;
    /** B1 and B2, by page key; by the study's page id once {@link #study} offers ids. */
    private ArcGhosts ghosts;
    /** True if {@link #ghosts} names pages by the study's ids rather than by page key. */
    private boolean ids;
    private final BitSet unused = new BitSet();
    private double p;
    private long adaptedFor = NO_PAGE_KEY;
    /**
     * The incoming page that {@link #shrink} found in neither ghost list, so that
     * {@link #pageAdded} need not look again: a key enters a ghost list only when its page is
     * evicted, and the incoming page is not resident, so it stays in neither until then
     * ({@link #evict} forgets it if it is the victim).
     */
    private long inNoGhost = NO_PAGE_KEY;
    private Study study;

    /** ARC for a cache of {@code capacity} pages. */
    public ArcPolicy(PageLists lists, FrameView frames, int capacity) {
        this.frames = frames;
        this.c = capacity;
        this.t1 = new PfnList(lists, 1);
        this.t2 = new PfnList(lists, 2);
        this.ghosts = new KeyGhosts(capacity);
    }

    @Override
    public boolean observesEveryAccess() {
        return true;
    }

    /** The target size of T1, for tests. */
    double target() {
        return p;
    }

    int t1Size() {
        return t1.size();
    }

    int t2Size() {
        return t2.size();
    }

    int b1Size() {
        return ghosts.size(ArcGhosts.B1);
    }

    int b2Size() {
        return ghosts.size(ArcGhosts.B2);
    }

    /** True if the ghost lists name pages by the study's dense ids, for tests. */
    boolean ghostsById() {
        return ids;
    }

    /**
     * Takes the study's knowledge; if it numbers pages, the ghost lists are kept by page id
     * ({@link IdGhosts}, one array read per lookup) instead of by key: the same lists, found
     * faster. Called before the first page is added, so there are no ghosts to carry over.
     */
    @Override
    public void study(Study s) {
        this.study = s;
        if (s.numbersPages() && IdGhosts.fits(c)) {
            ghosts = new IdGhosts(c, s.keepsPageWords() ? s : null);
            ids = true;
        }
    }

    /** The name of the page whose miss is being handled, as {@link #ghosts} knows pages, or {@link #NO_PAGE_KEY}. */
    private long incomingPage() {
        if (study == null) {
            return NO_PAGE_KEY;
        }
        if (ids) {
            int id = study.incomingPageId();
            return id == Study.NO_PAGE_ID ? NO_PAGE_KEY : id;
        }
        return study.incomingPageKey();
    }

    /** The name of the page in frame {@code pfn}, as {@link #ghosts} knows pages. */
    private long pageOf(int pfn) {
        return ids ? study.pageIdOf(pfn) : frames.pageKey(pfn);
    }

    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        if (t1.contains(pfn) || t2.contains(pfn)) {
            return;
        }
        ghosts.remove(pageOf(pfn));
        trimGhosts(1);
        t1.pushHead(pfn);
        unused.set(pfn);
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        // Case I: a hit in T1 or T2 moves the page to the MRU end of T2. Most hits are in T2;
        // only a page of T1 can be a readahead page's first use.
        if (t2.contains(pfn)) {
            t2.moveMemberToHead(pfn);
        } else if (t1.contains(pfn)) {
            if (unused.get(pfn)) {
                // the first use of a readahead page: its first reference, not a repeat
                unused.clear(pfn);
                t1.moveMemberToHead(pfn);
                return;
            }
            t1.removeMember(pfn);
            t2.pushNewHead(pfn);
        }
    }

    /** Moves the target {@code p} for a ghost hit of {@code key} in B1 or B2, once per incoming page. */
    private void adapt(long key, boolean inB1, boolean inB2) {
        if (key == adaptedFor) {
            return;
        }
        adaptedFor = key;
        int b1 = ghosts.size(ArcGhosts.B1);
        int b2 = ghosts.size(ArcGhosts.B2);
        if (inB1) {
            double delta = b1 >= b2 ? 1 : (double) b2 / b1;
            p = Math.min(p + delta, c);
        } else if (inB2) {
            double delta = b2 >= b1 ? 1 : (double) b1 / b2;
            p = Math.max(p - delta, 0);
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        if (t1.contains(pfn) || t2.contains(pfn)) {
            return;
        }
        long key = pageOf(pfn);
        boolean known = key == inNoGhost;
        inNoGhost = NO_PAGE_KEY;
        int in = known ? ArcGhosts.NONE : ghosts.where(key);
        if (in != ArcGhosts.NONE) {
            // Cases II and III: a ghost hit; the page goes to T2.
            adapt(key, in == ArcGhosts.B1, in == ArcGhosts.B2);
            ghosts.remove(key);
            t2.pushHead(pfn);
        } else {
            // Case IV: a page in no list enters T1. Trim the ghosts if shrink did not (cache not
            // yet full, or the incoming page was unknown to it).
            trimGhosts(1);
            t1.pushHead(pfn);
        }
        adaptedFor = NO_PAGE_KEY;
    }

    @Override
    public void pageRemoved(int pfn) {
        unused.clear(pfn);
        if (!t1.remove(pfn)) {
            t2.remove(pfn);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        int budget = t1.size() + t2.size();
        while (sc.nrToReclaim() > 0 && budget-- > 0 && t1.size() + t2.size() > 0) {
            long key = incomingPage();
            int in = key == NO_PAGE_KEY ? ArcGhosts.NONE : ghosts.where(key);
            boolean inB1 = in == ArcGhosts.B1;
            boolean inB2 = in == ArcGhosts.B2;
            if (inB1 || inB2) {
                adapt(key, inB1, inB2);
            } else if (key != NO_PAGE_KEY) {
                inNoGhost = key;
                // Case IV of Fig. 4, with the cache full.
                if (t1.size() + ghosts.size(ArcGhosts.B1) >= c) {
                    if (t1.size() < c) {
                        ghosts.removeOldest(ArcGhosts.B1);
                    } else {
                        evict(t1, ArcGhosts.NONE, sc);
                        continue;
                    }
                } else if (t1.size() + t2.size() + ghosts.size(ArcGhosts.B1) + ghosts.size(ArcGhosts.B2) >= 2 * c
                        && ghosts.size(ArcGhosts.B2) > 0) {
                    ghosts.removeOldest(ArcGhosts.B2);
                }
            }
            // REPLACE(x, p)
            if (t1.size() > 0 && (t1.size() > p || (inB2 && t1.size() == p) || t2.size() == 0)) {
                evict(t1, ArcGhosts.B1, sc);
            } else {
                evict(t2, ArcGhosts.B2, sc);
            }
        }
    }

    /** Offers the cold end of {@code from}; a reclaimed page goes to {@code ghost} (or to no ghost list, {@link ArcGhosts#NONE}). */
    private void evict(PfnList from, int ghost, ScanControl sc) {
        int victim = from.tail();
        long key = pageOf(victim);
        if (key == inNoGhost) {
            inNoGhost = NO_PAGE_KEY;
        }
        from.remove(victim);
        sc.scanned(1);
        if (sc.reclaim(victim)) {
            unused.clear(victim);
            if (ghost != ArcGhosts.NONE) {
                ghosts.add(key, ghost);
            }
        } else {
            from.pushHead(victim);
        }
    }

    /**
     * A smaller or larger domain: {@code c} follows it, and ghost entries beyond the paper's
     * bounds for the new {@code c} are dropped, oldest first (resident pages go by reclaim).
     */
    @Override
    public void capacityChanged(long pages) {
        c = (int) Math.min(Integer.MAX_VALUE, Math.max(1, pages));
        p = Math.min(p, c);
        trimGhosts(0);
    }

    /**
     * Drops the oldest ghosts until {@code room} more pages fit within the paper's bounds,
     * |T1| + |B1| <= c and |T1| + |T2| + |B1| + |B2| <= 2c.
     */
    private void trimGhosts(int room) {
        while (t1.size() + ghosts.size(ArcGhosts.B1) + room > c && ghosts.size(ArcGhosts.B1) > 0) {
            ghosts.removeOldest(ArcGhosts.B1);
        }
        while (t1.size() + t2.size() + ghosts.size(ArcGhosts.B1) + ghosts.size(ArcGhosts.B2) + room > 2 * c
                && ghosts.size(ArcGhosts.B2) > 0) {
            ghosts.removeOldest(ArcGhosts.B2);
        }
    }

    @Override
    public int size() {
        return t1.size() + t2.size();
    }

    @Override
    public void verifyInvariants() {
        t1.verify("arc T1");
        t2.verify("arc T2");
        ghosts.verify("arc");
        int b1 = ghosts.size(ArcGhosts.B1);
        int b2 = ghosts.size(ArcGhosts.B2);
        if (t1.size() + b1 > c || t1.size() + t2.size() + b1 + b2 > 2 * c) {
            throw new IllegalStateException("arc: |T1|+|B1| = " + (t1.size() + b1) + ", total "
                    + (t1.size() + t2.size() + b1 + b2) + " with c = " + c);
        }
        if (p < 0 || p > c) {
            throw new IllegalStateException("arc: p = " + p + " outside [0, " + c + "]");
        }
    }
}
