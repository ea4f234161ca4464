package io.vmsim.examples.twoq;

import io.vmsim.api.machine.IntrusivePageLists;
import io.vmsim.api.policy.ScanControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

final class TwoQPolicyTest {
    /** A reclaim request for {@code wanted} pages where the pages in {@code young} were used since the last scan. */
    private static final class Request implements ScanControl {
        final List<Integer> evicted = new ArrayList<>();
        final Set<Integer> young;
        int wanted;

        Request(int wanted, Set<Integer> young) {
            this.wanted = wanted;
            this.young = new HashSet<>(young);
        }

        @Override
        public int nrToReclaim() {
            return wanted;
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
            return true;
        }

        @Override
        public boolean testAndClearYoung(int pfn) {
            return young.remove(pfn);
        }

        @Override
        public void scanned(int pages) {
        }

        @Override
        public boolean reclaim(int pfn) {
            evicted.add(pfn);
            wanted--;
            return true;
        }
    }

    @Test
    void aPageUsedOnceIsEvictedFromProbation_whileAReusedOneIsPromoted() {
        TwoQPolicy p = new TwoQPolicy(IntrusivePageLists.standalone(16), 25);
        for (int pfn = 0; pfn < 8; pfn++) {
            p.pageAdded(pfn, true);
        }
        Request r = new Request(3, Set.of(0, 1));
        p.shrink(r);
        // 0 and 1 (the oldest) were used again: promoted to the main queue; 2, 3, 4 go in FIFO order
        assertThat(r.evicted).containsExactly(2, 3, 4);
        assertThat(p.size()).isEqualTo(5);

        // probation goes first while it holds more than 25%; then the main queue, where 0, used
        // again, gets a second chance and 1 is evicted
        Request again = new Request(4, Set.of(0));
        p.shrink(again);
        assertThat(again.evicted).containsExactly(5, 6, 7, 1);
        assertThat(p.size()).isEqualTo(1);
    }

    @Test
    void removedPages_leaveWhicheverQueueTheyAreOn() {
        TwoQPolicy p = new TwoQPolicy(IntrusivePageLists.standalone(8), 25);
        p.pageAdded(1, true);
        p.pageAdded(2, true);
        p.pageAdded(3, true);
        p.shrink(new Request(1, Set.of(1))); // 1 is promoted, 2 evicted
        p.pageRemoved(1);                    // from the main queue
        p.pageRemoved(3);                    // from probation
        assertThat(p.size()).isZero();
    }
}
