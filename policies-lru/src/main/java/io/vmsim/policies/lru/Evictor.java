package io.vmsim.policies.lru;

import io.vmsim.api.policy.ScanControl;

/** The shrink loop that LRU and FIFO share: take from the cold end until enough were reclaimed. */
final class Evictor {
    private Evictor() {
    }

    /**
     * Offers victims from the cold end of {@code list} to the core. A victim the core refuses
     * (pinned, under writeback) goes back to the hot end, as {@code putback_lru_page()} does,
     * so each page is offered at most once per call and the loop always ends.
     */
    static void shrink(PfnList list, ScanControl sc) {
        int wanted = sc.nrToReclaim();
        int budget = list.size();
        int taken = 0;
        while (taken < wanted && budget-- > 0 && sc.nrToReclaim() > 0) {
            int victim = list.tail();
            if (victim < 0) {
                break;
            }
            list.remove(victim);
            sc.scanned(1);
            if (sc.reclaim(victim)) {
                taken++;
            } else {
                // refused (pinned, dirty, under writeback): still ours, and the core never hands it back
                list.pushHead(victim);
            }
        }
    }
}
