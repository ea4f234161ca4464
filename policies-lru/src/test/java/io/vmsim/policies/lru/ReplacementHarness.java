package io.vmsim.policies.lru;

import io.vmsim.api.policy.ScanControl;

import java.util.LinkedList;

/**
 * Reference results and a fake scan request for the policy tests; {@link CacheHarness} drives
 * a policy over a cache of N frames.
 */
final class ReplacementHarness {
    private ReplacementHarness() {
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
