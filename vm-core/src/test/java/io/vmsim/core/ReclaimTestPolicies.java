package io.vmsim.core;

import io.vmsim.api.machine.FrameView;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Reclaim policies for engine tests (vm-core cannot see policies-lru): exact LRU, which sees
 * every access, and second chance, which learns only through accessed bits. Both record what
 * they evicted and what came back, so tests can check the shadow-entry round trip.
 */
final class ReclaimTestPolicies {
    private ReclaimTestPolicies() {
    }

    /** Shared bookkeeping: membership, shadows handed out and refaults seen. */
    abstract static class Recording implements ReclaimPolicy {
        final LinkedHashSet<Integer> order = new LinkedHashSet<>();
        final FrameView frames;
        /** Shadow handed out at eviction, to the page identity (pageKey) evicted. */
        final Map<Long, Long> shadowToKey = new HashMap<>();
        /** Refaults seen: {pageKey at refault, shadow}. */
        final List<long[]> refaults = new ArrayList<>();
        long nextShadow = 1;
        long evicted;
        /** Pages the core called pageDeactivated for (MADV_COLD), in order. */
        final List<Integer> deactivated = new ArrayList<>();

        Recording(FrameView frames) {
            this.frames = frames;
        }

        @Override
        public void pageAdded(int pfn, boolean anon) {
            if (!order.add(pfn)) {
                throw new IllegalStateException("page " + pfn + " added twice");
            }
        }

        @Override
        public void pageRemoved(int pfn) {
            if (!order.remove(pfn)) {
                throw new IllegalStateException("page " + pfn + " removed but never added");
            }
        }

        @Override
        public long pageEvicted(int pfn) {
            long s = nextShadow++;
            shadowToKey.put(s, frames.pageKey(pfn));
            evicted++;
            return s;
        }

        @Override
        public void pageDeactivated(int pfn) {
            if (!order.contains(pfn)) {
                throw new IllegalStateException("page " + pfn + " deactivated but not tracked");
            }
            deactivated.add(pfn);
        }

        /** Pages the core rotated ({@code folio_rotate_reclaimable()}), in order. */
        final List<Integer> rotated = new ArrayList<>();

        /** Moves the page to the cold end, where the next shrink offers it first. */
        @Override
        public boolean pageRotated(int pfn) {
            if (!order.remove(pfn)) {
                return false;
            }
            List<Integer> rest = new ArrayList<>(order);
            order.clear();
            order.add(pfn);
            order.addAll(rest);
            rotated.add(pfn);
            return true;
        }

        @Override
        public void pageRefaulted(int pfn, long shadow) {
            refaults.add(new long[] {frames.pageKey(pfn), shadow});
        }

        @Override
        public int size() {
            return order.size();
        }

        @Override
        public void verifyInvariants() {
            for (int pfn : order) {
                if (frames.isFree(pfn)) {
                    throw new IllegalStateException("tracked page " + pfn + " is free");
                }
            }
        }

        /** Offers pages from the cold end; a refused page goes back to the hot end. */
        void evictFromColdEnd(ScanControl sc, boolean secondChance) {
            int budget = 2 * order.size() + 1;
            while (sc.nrToReclaim() > 0 && budget-- > 0 && !order.isEmpty()) {
                Iterator<Integer> it = order.iterator();
                int victim = it.next();
                it.remove();
                sc.scanned(1);
                if (secondChance && sc.testAndClearYoung(victim)) {
                    order.add(victim);
                    continue;
                }
                if (!frames.isAnon(victim) || sc.mayReclaimAnon()) {
                    if (sc.reclaim(victim)) {
                        continue;
                    }
                }
                order.add(victim);
            }
        }
    }

    /** Exact LRU: every access moves the page to the hot end. */
    static class ExactLru extends Recording {
        ExactLru(FrameView frames) {
            super(frames);
        }

        @Override
        public boolean observesEveryAccess() {
            return true;
        }

        @Override
        public void pageAccessed(int pfn, boolean write) {
            if (!order.remove(pfn)) {
                throw new IllegalStateException("access to untracked page " + pfn);
            }
            order.add(pfn);
        }

        @Override
        public void shrink(ScanControl sc) {
            evictFromColdEnd(sc, false);
        }
    }

    /**
     * A minimal two-list policy in the spirit of mm/vmscan.c's active/inactive lists with
     * {@code folio_mark_accessed()}: the first reference to an inactive page marks it, the
     * second activates it; the active list is only shrunk (back to the inactive list) when it
     * outgrows the inactive one, and victims come from the cold end of the inactive list. It
     * observes every access, since a scan-time accessed bit cannot count two references.
     */
    static final class TwoList extends Recording {
        final LinkedHashSet<Integer> active = new LinkedHashSet<>();
        final java.util.Set<Integer> marked = new java.util.HashSet<>();

        TwoList(FrameView frames) {
            super(frames);
        }

        @Override
        public boolean observesEveryAccess() {
            return true;
        }

        /** The reference that brought the page in is its first: it marks the page (one report per reference). */
        @Override
        public void pageAdded(int pfn, boolean anon) {
            super.pageAdded(pfn, anon);
            marked.add(pfn);
        }

        /** A readahead page is not used yet: it enters unmarked. */
        @Override
        public void pageAddedUnreferenced(int pfn, boolean anon) {
            super.pageAdded(pfn, anon);
        }

        @Override
        public void pageAccessed(int pfn, boolean write) {
            if (active.contains(pfn)) {
                return;
            }
            if (marked.remove(pfn)) {
                order.remove(pfn);
                active.add(pfn);
            } else {
                marked.add(pfn);
            }
        }

        @Override
        public void pageRemoved(int pfn) {
            marked.remove(pfn);
            if (!active.remove(pfn)) {
                super.pageRemoved(pfn);
            }
        }

        @Override
        public int size() {
            return order.size() + active.size();
        }

        @Override
        public void shrink(ScanControl sc) {
            while (active.size() > order.size()) {
                Iterator<Integer> it = active.iterator();
                int pfn = it.next();
                it.remove();
                order.add(pfn);
            }
            int budget = order.size();
            while (sc.nrToReclaim() > 0 && budget-- > 0 && !order.isEmpty()) {
                Iterator<Integer> it = order.iterator();
                int victim = it.next();
                it.remove();
                sc.scanned(1);
                if ((frames.isAnon(victim) && !sc.mayReclaimAnon()) || !sc.reclaim(victim)) {
                    order.add(victim);
                } else {
                    marked.remove(victim);
                }
            }
        }
    }

    /** Second chance (CLOCK as a queue): a page whose accessed bit is set goes round again. */
    static final class SecondChance extends Recording {
        SecondChance(FrameView frames) {
            super(frames);
        }

        @Override
        public void shrink(ScanControl sc) {
            evictFromColdEnd(sc, true);
        }
    }
}
