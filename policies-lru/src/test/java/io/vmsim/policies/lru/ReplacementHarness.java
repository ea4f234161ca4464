package io.vmsim.policies.lru;

import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.Map;

/**
 * Drives a reclaim policy the way the core would with a cache of N frames: a page-to-frame
 * map, a free list, and on a miss with memory full one shrink request for a single page.
 */
final class ReplacementHarness {
    private ReplacementHarness() {
    }

    /** Misses of {@code policy} over {@code pages} with {@code frames} frames. */
    static int misses(ReclaimPolicy policy, int frames, int[] pages) {
        Map<Integer, Integer> pageToFrame = new HashMap<>();
        int[] frameToPage = new int[frames];
        ArrayDeque<Integer> free = new ArrayDeque<>();
        for (int f = 0; f < frames; f++) {
            free.add(f);
        }
        int misses = 0;
        for (int page : pages) {
            Integer frame = pageToFrame.get(page);
            if (frame != null) {
                if (policy.observesEveryAccess()) {
                    policy.pageAccessed(frame, false);
                }
                continue;
            }
            misses++;
            if (free.isEmpty()) {
                FakeScan sc = new FakeScan(1) {
                    @Override
                    public boolean reclaim(int pfn) {
                        if (remaining <= 0) {
                            throw new AssertionError("policy reclaimed more than asked");
                        }
                        remaining--;
                        pageToFrame.remove(frameToPage[pfn]);
                        free.add(pfn);
                        return true;
                    }
                };
                policy.shrink(sc);
                if (free.isEmpty()) {
                    throw new AssertionError("shrink freed nothing with " + policy.size() + " pages tracked");
                }
            }
            int f = free.poll();
            pageToFrame.put(page, f);
            frameToPage[f] = page;
            policy.pageAdded(f, true);
        }
        policy.verifyInvariants();
        return misses;
    }

    /** Misses of a straightforward list-based LRU (or FIFO when {@code lru} is false). */
    static int referenceMisses(boolean lru, int frames, int[] pages) {
        LinkedList<Integer> list = new LinkedList<>(); // head = most recent
        int misses = 0;
        for (int page : pages) {
            if (list.contains(page)) {
                if (lru) {
                    list.remove((Integer) page);
                    list.addFirst(page);
                }
                continue;
            }
            misses++;
            if (list.size() == frames) {
                list.removeLast();
            }
            list.addFirst(page);
        }
        return misses;
    }

    /** A scan request that counts down as pages are reclaimed. */
    abstract static class FakeScan implements ScanControl {
        int remaining;
        int scanned;

        FakeScan(int nr) {
            this.remaining = nr;
        }

        @Override
        public int nrToReclaim() {
            return remaining;
        }

        @Override
        public int priority() {
            return 12;
        }

        @Override
        public int swappiness() {
            return 60;
        }

        @Override
        public boolean mayReclaimAnon() {
            return true;
        }

        @Override
        public boolean isKswapd() {
            return false;
        }

        @Override
        public boolean testAndClearYoung(int pfn) {
            return false;
        }

        @Override
        public void scanned(int pages) {
            scanned += pages;
        }
    }
}
