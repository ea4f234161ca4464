package io.vmsim.policies.lru;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

final class TwoListPolicyTest {

    private static CacheHarness twoList(int frames) {
        return new CacheHarness(frames, (l, f) -> new TwoListPolicy(l));
    }

    @Test
    void newPages_enterTheInactiveList_andUseOnceIsEvictedFirst() {
        CacheHarness h = twoList(4);
        h.run(1, 2, 3, 4);
        TwoListPolicy p = (TwoListPolicy) h.policy;
        assertThat(p.inactiveSize()).isEqualTo(4);
        assertThat(p.activeSize()).isZero();
        h.run(5);
        assertThat(h.resident(1)).isFalse();
    }

    @Test
    void pageFoundYoungTwice_isActivated() {
        // 3 frames. 1 is used between misses: at 4 the scan finds it young, marks it referenced and
        // rotates it (2 goes); 5 evicts 3; at 6 it is found young again and activated
        // (folio_check_references()), and 4 goes.
        CacheHarness h = twoList(3).mapped();
        h.run(1, 2, 3, 1, 4, 1, 5, 1, 6);
        assertThat(h.resident(4)).isFalse();
        TwoListPolicy p = (TwoListPolicy) h.policy;
        assertThat(h.resident(1)).isTrue();
        assertThat(p.isActive(h.frameOf(1))).isTrue();
    }

    @Test
    void refaultWithinTheActiveListSize_isActivated_andFartherIsNot() {
        CacheHarness h = twoList(8);
        TwoListPolicy p = (TwoListPolicy) h.policy;
        // Pages 1 and 2 used between misses end up on the active list.
        int next = 10;
        for (int i = 0; i < 40; i++) {
            h.run(1, 2, next++);
        }
        assertThat(p.activeSize()).isGreaterThanOrEqualTo(1);
        long before = p.workingsetActivations();
        // A use-once stream: 100 is evicted many evictions before it comes back.
        int[] stream = new int[60];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = 100 + i;
        }
        h.run(stream);
        assertThat(h.resident(100)).isFalse();
        h.run(100);
        assertThat(p.workingsetActivations()).isEqualTo(before);
        assertThat(p.isActive(h.frameOf(100))).isFalse();
        // The stream page evicted last comes back after one more eviction: distance <= active size.
        int last = 159;
        while (h.resident(last)) {
            last--;
        }
        h.run(last);
        assertThat(p.workingsetActivations()).isEqualTo(before + 1);
        assertThat(p.isActive(h.frameOf(last))).isTrue();
    }

    @Test
    void hotSet_survivesAStreamLargerThanMemory_whereLruLosesIt() {
        // The workingset situation in miniature, with 64 frames and 20 hot pages. Accesses are seen
        // only through accessed bits, so a hot page must be found young twice on the inactive list
        // to be activated: 10 rounds of 30 use-once pages and a re-read of the hot set establish it.
        // Then 100 rounds of 100 use-once pages (more than memory) and one re-read each.
        int frames = 64;
        int hot = 20;
        int rounds = 100;
        int[] seq = new int[10 * (30 + hot) + rounds * (100 + hot)];
        int n = 0;
        int stream = 1000;
        for (int r = 0; r < 10 + rounds; r++) {
            for (int i = 0; i < (r < 10 ? 30 : 100); i++) {
                seq[n++] = stream++;
            }
            for (int p = 0; p < hot; p++) {
                seq[n++] = p;
            }
        }
        long hotRefs = (long) rounds * hot;
        long twoList = hotMissesInPhase2(new CacheHarness(frames, (l, f) -> new TwoListPolicy(l)), seq, hot);
        long mglru = hotMissesInPhase2(new CacheHarness(frames, (l, f) -> new MglruPolicy(l, false)), seq, hot);
        long lru = hotMissesInPhase2(new CacheHarness(frames, (l, f) -> new LruPolicy(l)), seq, hot);
        assertThat(twoList).as("hot-set misses, linux-2list").isLessThan(hotRefs / 10);
        assertThat(mglru).as("hot-set misses, mglru").isLessThan(hotRefs / 10);
        assertThat(lru).as("hot-set misses, lru").isGreaterThan(hotRefs * 9 / 10);
    }

    /** Misses on hot pages (those below {@code hot}) after the first ten rounds. */
    private static long hotMissesInPhase2(CacheHarness h, int[] seq, int hot) {
        int phase1 = 10 * (30 + hot);
        h.run(java.util.Arrays.copyOf(seq, phase1));
        long misses = 0;
        for (int i = phase1; i < seq.length; i++) {
            long before = h.misses;
            h.run(seq[i]);
            if (seq[i] < hot && h.misses > before) {
                misses++;
            }
        }
        return misses;
    }

    @Test
    void randomRuns_keepBothListsConsistent() {
        Random rnd = new Random(23);
        for (int frames : new int[] {1, 2, 16, 128}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(1000) : rnd.nextInt(60);
            }
            CacheHarness h = twoList(frames);
            h.run(seq);
            assertThat(h.policy.size()).isEqualTo(frames);
        }
    }

    @Test
    void markAccessed_firstUseSetsReferenced_secondUseActivates_asFolioMarkAccessedDoes() {
        io.vmsim.api.machine.PageLists lists = io.vmsim.api.machine.IntrusivePageLists.standalone(8);
        TwoListPolicy p = new TwoListPolicy(lists);
        assertThat(p.observesMarkAccessed()).isTrue();
        // a readahead page: not referenced yet, so two uses activate it
        p.pageAddedUnreferenced(3, false);
        assertThat(p.isActive(3)).isFalse();
        p.pageMarkedAccessed(3);
        assertThat(p.isActive(3)).isFalse();
        p.pageMarkedAccessed(3);
        assertThat(p.isActive(3)).isTrue();
        // a page read on a miss: that read was the first use (one reference, one report), so the next activates it
        p.pageAdded(4, false);
        assertThat(p.isActive(4)).isFalse();
        p.pageMarkedAccessed(4);
        assertThat(p.isActive(4)).isTrue();
        assertThat(p.activeSize()).isEqualTo(2);
        p.pageRemoved(4);
        assertThat(p.activeSize()).isEqualTo(1);
        assertThat(p.inactiveSize()).isZero();
        p.verifyInvariants();
    }

    @Test
    void aRefaultWithinTheActiveListSize_isActivatedAndCountedAsWorkingsetActivate() {
        io.vmsim.api.machine.PageLists lists = io.vmsim.api.machine.IntrusivePageLists.standalone(16);
        java.util.EnumMap<io.vmsim.api.policy.PolicyEvents.Event, Long> counted =
                new java.util.EnumMap<>(io.vmsim.api.policy.PolicyEvents.Event.class);
        TwoListPolicy p = new TwoListPolicy(lists, (e, n) -> counted.merge(e, n, Long::sum));
        for (int pfn = 0; pfn < 4; pfn++) {
            p.pageAdded(pfn, false);
            p.pageMarkedAccessed(pfn);
            p.pageMarkedAccessed(pfn); // second use: active
        }
        assertThat(counted).containsEntry(io.vmsim.api.policy.PolicyEvents.Event.PGACTIVATE, 4L);
        p.pageAdded(5, false);
        p.pageRemoved(5);
        long shadow = p.pageEvicted(5);
        // refault distance 0 <= 4 active pages: workingset_refault() activates it
        p.pageRefaulted(5, shadow);
        p.pageAdded(5, false);
        assertThat(p.isActive(5)).isTrue();
        assertThat(counted).containsEntry(io.vmsim.api.policy.PolicyEvents.Event.WORKINGSET_ACTIVATE_FILE, 1L)
                .doesNotContainKey(io.vmsim.api.policy.PolicyEvents.Event.WORKINGSET_ACTIVATE_ANON);
    }

    @Test
    void pageDeactivated_movesAnActivePageToTheInactiveHead_asLruDeactivateDoes() {
        io.vmsim.api.machine.PageLists lists = io.vmsim.api.machine.IntrusivePageLists.standalone(16);
        java.util.EnumMap<io.vmsim.api.policy.PolicyEvents.Event, Long> counted =
                new java.util.EnumMap<>(io.vmsim.api.policy.PolicyEvents.Event.class);
        TwoListPolicy p = new TwoListPolicy(lists, (e, n) -> counted.merge(e, n, Long::sum));
        p.pageAdded(1, false);
        p.pageMarkedAccessed(1); // second use: active
        p.pageAdded(2, false);   // inactive, PG_referenced from the read that brought it in
        p.pageAdded(3, true);    // inactive, never referenced
        assertThat(p.isActive(1)).isTrue();
        p.pageDeactivated(1);
        p.pageDeactivated(2);
        // mm/swap.c lru_deactivate(): only an active page moves, counted once in pgdeactivate
        assertThat(p.isActive(1)).isFalse();
        assertThat(p.activeSize()).isZero();
        assertThat(p.inactiveSize()).isEqualTo(3);
        assertThat(counted).containsEntry(io.vmsim.api.policy.PolicyEvents.Event.PGDEACTIVATE, 1L);
        // lruvec_add_folio() puts the deactivated page at the head: the inactive pages added
        // before it (2, then 3) are reclaimed first, it last
        java.util.List<Integer> order = new java.util.ArrayList<>();
        p.shrink(new io.vmsim.api.policy.ScanControl() {
            public int nrToReclaim() {
                return 3 - order.size();
            }

            public int priority() {
                return 12;
            }

            public int swappiness() {
                return 60;
            }

            public boolean mayReclaimAnon() {
                return true;
            }

            public boolean isKswapd() {
                return true;
            }

            public boolean testAndClearYoung(int pfn) {
                return false; // no PTE maps these pages
            }

            public void scanned(int pages) {
            }

            public boolean reclaim(int pfn) {
                order.add(pfn);
                return true;
            }
        });
        assertThat(order).containsExactly(2, 3, 1);
        p.verifyInvariants();
    }
}
