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

    /**
     * conformance/flags/pagecache-marks.json (Linux 6.18, /proc/kpageflags): a read() miss plus
     * one mark is active; a full-page write() miss plus one mark is only PG_referenced, and a
     * second mark activates it.
     */
    @Test
    void writeMissThenOneMark_isOnlyReferenced_whereAReadMissThenOneMarkIsActive() {
        CacheHarness h = twoList(4);
        TwoListPolicy p = (TwoListPolicy) h.policy;
        p.pageAdded(0, false);
        p.pageMarkedAccessed(0);
        assertThat(p.isActive(0)).as("read miss + one mark").isTrue();
        p.pageAddedByWrite(1);
        p.pageMarkedAccessed(1);
        assertThat(p.isActive(1)).as("write miss + one mark").isFalse();
        p.pageMarkedAccessed(1);
        assertThat(p.isActive(1)).as("write miss + two marks").isTrue();
        assertThat(p.inactiveSize() + p.activeSize()).isEqualTo(2);
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

    // ------------------------------------------------------------ the lruvec of Linux 6.18

    /**
     * A reclaim request as the core makes it: {@code nr} pages wanted at a priority, accessed bits
     * scripted per frame, every offered victim reclaimed (its shadow kept) unless refused.
     */
    private static final class Scan implements io.vmsim.api.policy.ScanControl {
        final TwoListPolicy policy;
        int nr;
        int priority = 12;
        int swappiness = 60;
        boolean mayAnon = true;
        final java.util.Map<Integer, java.util.ArrayDeque<Boolean>> young = new java.util.HashMap<>();
        final java.util.Set<Integer> refuse = new java.util.HashSet<>();
        final java.util.List<Integer> reclaimed = new java.util.ArrayList<>();
        final java.util.Map<Integer, Long> shadows = new java.util.HashMap<>();
        /** Refused pages the core sends to activate_locked. */
        final java.util.Set<Integer> activate = new java.util.HashSet<>();
        /** The kernel's reclaim ({@link io.vmsim.api.policy.ScanControl#wholeBatches()}), and a memory cgroup's. */
        boolean whole;
        boolean cgroup;
        int scanned;
        /** What the core does when a page is offered, before it answers (a write's completion, say). */
        java.util.function.IntConsumer onReclaim = pfn -> { };
        /** The pages the policy has told the core it took off the LRU ({@link #isolate}) and not yet back. */
        final java.util.Set<Integer> offLru = new java.util.HashSet<>();

        Scan(TwoListPolicy policy) {
            this.policy = policy;
        }

        Scan young(int pfn, Boolean... answers) {
            young.computeIfAbsent(pfn, k -> new java.util.ArrayDeque<>()).addAll(java.util.List.of(answers));
            return this;
        }

        Scan run(int nr, int priority) {
            this.nr = nr;
            this.priority = priority;
            policy.shrink(this);
            return this;
        }

        long reclaimedIn(int from, int to) {
            return reclaimed.stream().filter(p -> p >= from && p < to).count();
        }

        @Override
        public int nrToReclaim() {
            return Math.max(0, nr);
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public int swappiness() {
            return swappiness;
        }

        @Override
        public boolean mayReclaimAnon() {
            return mayAnon;
        }

        @Override
        public boolean isKswapd() {
            return false;
        }

        @Override
        public boolean testAndClearYoung(int pfn) {
            java.util.ArrayDeque<Boolean> q = young.get(pfn);
            return q != null && !q.isEmpty() && q.poll();
        }

        @Override
        public void scanned(int pages) {
            scanned += pages;
        }

        @Override
        public boolean wholeBatches() {
            return whole;
        }

        @Override
        public boolean isCgroupReclaim() {
            return cgroup;
        }

        @Override
        public boolean activateRefused(int pfn) {
            return activate.contains(pfn);
        }

        @Override
        public void isolate(int pfn) {
            assertThat(offLru.add(pfn)).as("page %d isolated twice", pfn).isTrue();
        }

        @Override
        public void putBack(int pfn) {
            assertThat(offLru.remove(pfn)).as("page %d put back but not isolated", pfn).isTrue();
        }

        @Override
        public boolean reclaim(int pfn) {
            assertThat(offLru).as("the page in hand is on the LRU").doesNotContain(pfn);
            onReclaim.accept(pfn);
            if (nr <= 0 && !whole) {
                throw new AssertionError("reclaim beyond the request: " + pfn);
            }
            if (refuse.contains(pfn)) {
                return false;
            }
            shadows.put(pfn, policy.pageEvicted(pfn));
            reclaimed.add(pfn);
            nr--;
            return true;
        }
    }

    @Test
    void aGroupsReclaim_finishesEachBatch_andChecksTheRequestOnlyBetweenRounds() {
        // do_try_to_free_pages() for a memory cgroup (try_to_free_mem_cgroup_pages(): nr_to_reclaim
        // = SWAP_CLUSTER_MAX), priority 12 down while fewer than 32 are reclaimed: each pass scans
        // inactive_file >> priority pages (get_scan_count(), no swap), in batches of at most 32 that
        // shrink_folio_list() finishes. With 8000 clean unreferenced file pages: 1, 3, 7, 15, then
        // 31 at priority 8, 57 in all, where stopping at the 32nd page would reclaim 32.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(8192));
        int size = 8000;
        addInactive(p, 0, size, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.whole = true;
        sc.cgroup = true;
        sc.nr = 32;
        long expected = 0;
        long left = size;
        for (int prio = 12; prio >= 0 && expected < 32; prio--) {
            long scan = left >> prio;
            expected += scan;
            left -= scan;
            sc.priority = prio;
            p.shrink(sc);
        }
        assertThat(expected).isEqualTo(57);
        assertThat(sc.reclaimed).hasSize(57);
        assertThat(sc.reclaimed.get(0)).isEqualTo(0); // the inactive tail first
        p.verifyInvariants();
    }

    @Test
    void globalDirectReclaimAtDefPriority_scansItsWholeCount_proportionalReclaim() {
        // shrink_lruvec(): proportional_reclaim from the start for global direct reclaim at
        // DEF_PRIORITY, so the pass scans the whole of get_scan_count()'s target, here
        // 200000 >> 12 = 48 file pages in batches of 32 and 16, though one page was asked for
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(200_000));
        addInactive(p, 0, 200_000, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.whole = true;
        sc.run(1, 12);
        assertThat(sc.reclaimed).hasSize(200_000 >> 12);
        // a group's reclaim stops after the first round, its batch of 32 finished
        TwoListPolicy q = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(200_000));
        addInactive(q, 0, 200_000, false);
        Scan g = new Scan(q);
        g.mayAnon = false;
        g.whole = true;
        g.cgroup = true;
        g.run(1, 12);
        assertThat(g.reclaimed).hasSize(TwoListPolicy.SWAP_CLUSTER_MAX);
    }

    @Test
    void aRefusedPageSentToActivateLocked_goesToTheActiveList_andItsWritesCompletionRotatesItToTheInactiveTail() {
        // shrink_folio_list() marks a dirty file page PG_reclaim and activates it (pgactivate);
        // folio_end_writeback() -> folio_rotate_reclaimable() -> lru_move_tail() clears PG_active
        // and puts it at the inactive tail (Linux 6.18, mm/swap.c), where the next scan meets it first
        Counted ev = new Counted();
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(64), ev);
        addInactive(p, 0, 40, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.whole = true;
        sc.refuse.add(0);
        sc.activate.add(0);
        sc.refuse.add(1); // refused and kept (keep_locked): back on the inactive list
        sc.run(1, 5); // 40 >> 5 = 1 page: 0
        assertThat(p.isActive(0)).isTrue();
        assertThat(ev.get(io.vmsim.api.policy.PolicyEvents.Event.PGACTIVATE)).isEqualTo(1);
        sc.run(1, 5); // 1 page: 1, kept inactive
        assertThat(p.isActive(1)).isFalse();
        assertThat(p.pageRotated(0)).isTrue();
        assertThat(p.isActive(0)).isFalse();
        sc.refuse.clear();
        sc.run(1, 5);
        assertThat(sc.reclaimed).containsExactly(0);
        p.verifyInvariants();
    }

    @Test
    void aBatchIsIsolatedWhole_offTheLruForTheCoreToo_aPageRotatedToTheTailMeanwhileWaitsForTheNextBatch() {
        // shrink_inactive_list() (mm/vmscan.c, Linux 6.18): isolate_lru_folios() takes the batch's
        // 32 pages off the inactive list before shrink_folio_list() looks at the first. A write
        // that completes while the batch is dealt with rotates its page to the inactive tail
        // (folio_rotate_reclaimable() -> lru_move_tail()); that page is not in this batch, and a
        // page of the batch cannot be rotated (folio_batch_move_lru() skips a folio whose PG_lru
        // is clear). Here 4096 clean file pages, priority 7: 4096 >> 7 = 32, one batch, pages 0-31
        // from the tail; while page 0 is offered, page 4000 (near the head) and page 5 (in the
        // batch) complete their writes.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(4096));
        addInactive(p, 0, 4096, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.whole = true;
        sc.cgroup = true;
        boolean[] rotated = new boolean[2];
        java.util.Set<Integer> offWhilePage0 = new java.util.HashSet<>();
        sc.onReclaim = pfn -> {
            if (pfn == 0) {
                rotated[0] = p.pageRotated(4000);
                rotated[1] = p.pageRotated(5);
                offWhilePage0.addAll(sc.offLru);
            }
        };
        sc.refuse.add(7); // kept (keep_locked): back at the inactive head once the batch is done
        sc.run(32, 7);
        java.util.List<Integer> batch = new java.util.ArrayList<>();
        for (int pfn = 0; pfn < 32; pfn++) {
            if (pfn != 7) {
                batch.add(pfn);
            }
        }
        assertThat(sc.reclaimed).containsExactlyElementsOf(batch);
        assertThat(rotated[0]).as("a page on the list is rotated").isTrue();
        assertThat(rotated[1]).as("a page of the isolated batch is not").isFalse();
        // and the core knows it (PG_lru clear): while page 0 is in hand the other 31 are off the
        // LRU, so a write of one of them completing then is not rotated by the core either
        // (folio_rotate_reclaimable() skips a folio without PG_lru); the kept page 7 is back on it
        assertThat(offWhilePage0).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(1, 32).boxed().toList());
        assertThat(sc.offLru).isEmpty();
        // the next batch begins with the rotated page; the kept page 7 went to the head
        sc.onReclaim = pfn -> { };
        sc.refuse.clear();
        sc.reclaimed.clear();
        sc.run(1, 12); // 4064 >> 12 = 0 pages
        sc.run(1, 7); // 4064 >> 7 = 31 pages
        assertThat(sc.reclaimed).hasSize(31);
        assertThat(sc.reclaimed.get(0)).isEqualTo(4000);
        assertThat(sc.reclaimed.subList(1, 31)).containsExactlyElementsOf(java.util.stream.IntStream.range(32, 62).boxed().toList());
        assertThat(p.isActive(7)).isFalse();
        p.verifyInvariants();
    }

    private static final class Counted implements io.vmsim.api.policy.PolicyEvents {
        final java.util.EnumMap<Event, Long> n = new java.util.EnumMap<>(Event.class);

        @Override
        public void count(Event event, long k) {
            n.merge(event, k, Long::sum);
        }

        long get(Event e) {
            return n.getOrDefault(e, 0L);
        }
    }

    /** Adds pages {@code from..to-1} and activates each with two marks (folio_mark_accessed twice). */
    private static void addActive(TwoListPolicy p, int from, int to, boolean anon) {
        for (int pfn = from; pfn < to; pfn++) {
            p.pageAddedUnreferenced(pfn, anon);
            p.pageMarkedAccessed(pfn);
            p.pageMarkedAccessed(pfn);
        }
    }

    private static void addInactive(TwoListPolicy p, int from, int to, boolean anon) {
        for (int pfn = from; pfn < to; pfn++) {
            p.pageAdded(pfn, anon);
        }
    }

    @Test
    void withoutSwap_anonymousPagesAreNotScanned_getScanCountScansFileOnly() {
        // get_scan_count(): no swap space, SCAN_FILE. The anon pages are the oldest; none is looked at.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(64));
        addInactive(p, 0, 20, true);
        addInactive(p, 20, 40, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.run(5, 0);
        assertThat(sc.reclaimed).containsExactly(20, 21, 22, 23, 24);
        assertThat(sc.scanned).isEqualTo(5);
        p.verifyInvariants();
    }

    @Test
    void plentyOfInactiveFile_isTrimmedFirst_evenWithSwapAndOlderAnonPages() {
        // cache_trim_mode: inactive file >> priority is not 0 and the file lists need no deactivation.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(256));
        addInactive(p, 0, 64, true);
        addInactive(p, 64, 128, false);
        Scan sc = new Scan(p).run(10, 2);
        assertThat(sc.reclaimedIn(0, 64)).isZero();
        assertThat(sc.reclaimedIn(64, 128)).isEqualTo(10);
    }

    /** get_scan_count()'s SCAN_FRACT target for one list, computed from the formula of mm/vmscan.c. */
    private static long fractTarget(long size, int priority, boolean file, int swappiness, long anonCost, long fileCost) {
        long total = anonCost + fileCost;
        long a = total + anonCost;
        long f = total + fileCost;
        total = a + f;
        long ap = swappiness * (total + 1) / (a + 1);
        long fp = (200L - swappiness) * (total + 1) / (f + 1);
        return (size >> priority) * (file ? fp : ap) / (ap + fp);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 60, 100, 140, 199})
    void scanFract_splitsThePassBySwappiness_asGetScanCount(int swappiness) {
        // 400 inactive anon; 100 inactive and 300 active file: the inactive file list is low, so
        // no cache trimming; no cost recorded yet. Nothing is young, so every page scanned on an
        // inactive list is reclaimed, and the counts are get_scan_count()'s targets.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(1024));
        addInactive(p, 0, 400, true);
        addActive(p, 400, 700, false);
        addInactive(p, 700, 800, false);
        Scan sc = new Scan(p);
        sc.swappiness = swappiness;
        sc.run(10_000, 1);
        assertThat(sc.reclaimedIn(0, 400)).isEqualTo(fractTarget(400, 1, false, swappiness, 0, 0));
        assertThat(sc.reclaimedIn(700, 800)).isEqualTo(fractTarget(100, 1, true, swappiness, 0, 0));
        p.verifyInvariants();
    }

    @Test
    void atPriorityZero_bothTypesAreScannedEqually() {
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(256));
        addInactive(p, 0, 50, true);
        addActive(p, 50, 150, false);
        addInactive(p, 150, 180, false);
        Scan sc = new Scan(p);
        sc.swappiness = 10;
        sc.run(60, 0);
        // SCAN_EQUAL despite swappiness 10 (SCAN_FRACT would give anon 50 x 10/200 = 2): batches of
        // SWAP_CLUSTER_MAX alternate, inactive anon first, until the 60 pages are reclaimed
        assertThat(sc.reclaimedIn(0, 50)).isEqualTo(32);
        assertThat(sc.reclaimedIn(150, 180)).isEqualTo(28);
    }

    @Test
    void aWorkingsetRefault_raisesAnonCost_andShiftsThePressureToFile() {
        // lru_note_cost_refault(): a restored anon page costs SWAP_CLUSTER_MAX; get_scan_count()
        // then weighs anon at (anon_cost + total) against file at (file_cost + total).
        io.vmsim.api.machine.PageLists lists = io.vmsim.api.machine.IntrusivePageLists.standalone(1024);
        TwoListPolicy p = new TwoListPolicy(lists);
        addActive(p, 0, 1, true);
        Scan evict = new Scan(p);
        // deactivate the anon page (inactive anon 0 < active 1) and reclaim it with swap and swappiness 0 (file is tiny)
        evict.swappiness = 0;
        evict.run(1, 0);
        assertThat(evict.reclaimed).containsExactly(0);
        // its pageout cost SWAP_CLUSTER_MAX, halved at once (the lists are empty): 16
        addActive(p, 401, 701, false);
        addInactive(p, 701, 801, false);
        p.pageRefaulted(0, evict.shadows.get(0)); // distance 1, within active file 300 + inactive file 100
        p.pageAdded(0, true);
        assertThat(p.isActive(0)).isTrue();
        addInactive(p, 1, 401, true);
        // restored: + SWAP_CLUSTER_MAX, no decay (48 <= 400 / 4)
        assertThat(p.anonCost()).isEqualTo(48);
        assertThat(p.fileCost()).isZero();
        Scan sc = new Scan(p);
        sc.run(10_000, 1);
        assertThat(sc.reclaimedIn(1, 401)).isEqualTo(fractTarget(400, 1, false, 60, 48, 0));
        assertThat(sc.reclaimedIn(701, 801)).isEqualTo(fractTarget(100, 1, true, 60, 48, 0));
        assertThat(fractTarget(400, 1, false, 60, 48, 0)).isLessThan(fractTarget(400, 1, false, 60, 0, 0));
    }

    @Test
    void lruNoteCost_chargesPageoutsAndRotations_andDecaysAtAQuarterOfTheLists() {
        // shrink_inactive_list(): lru_note_cost(file, nr_pageout, nr_scanned - nr_reclaimed), with
        // nr_io weighing SWAP_CLUSTER_MAX; both costs halve once they exceed a quarter of the lists.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(4096));
        addInactive(p, 0, 4000, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        for (int pfn = 0; pfn < 10; pfn++) {
            sc.refuse.add(pfn); // kept: 10 rotations
        }
        sc.run(5, 7); // 4000 >> 7 = 31 pages: 10 refused, 5 reclaimed, then the request is met
        assertThat(sc.scanned).isEqualTo(15);
        assertThat(p.fileCost()).isEqualTo(10);
        assertThat(p.anonCost()).isZero();
        // 1000 refused file pages cost 1000 > (lists / 4) = 3985 / 4: both halve
        TwoListPolicy q = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(4096));
        addInactive(q, 0, 3985, false);
        Scan all = new Scan(q);
        all.mayAnon = false;
        for (int pfn = 0; pfn < 3985; pfn++) {
            all.refuse.add(pfn);
        }
        all.run(1, 2); // 3985 >> 2 = 996 pages in batches of 32: 31 x 32 then 4
        long cost = 0;
        for (int batch : new int[] {32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
                32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 4}) {
            cost += batch;
            if (cost > 3985 / 4) {
                cost /= 2;
            }
        }
        assertThat(q.fileCost()).isEqualTo(cost);
    }

    @Test
    void inactiveIsLow_perType_withTheSqrtRatioOfThatTypesGigabytes() {
        // 70000 inactive and 200000 active anon pages (1 GiB: ratio int_sqrt(10) = 3): not low,
        // though 800000 active file pages would make a shared ratio int_sqrt(40) = 6 and call it low.
        int anonInactive = 70_000;
        int anonActive = 200_000;
        int fileActive = 800_000;
        int frames = anonInactive + anonActive + fileActive;
        Counted ev = new Counted();
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(frames), ev);
        addActive(p, 0, anonActive, true);
        addInactive(p, anonActive, anonActive + anonInactive, true);
        addActive(p, anonActive + anonInactive, frames, false);
        new Scan(p).run(0, 12); // nothing wanted: only the anon aging of shrink_lruvec() can run
        assertThat(ev.get(io.vmsim.api.policy.PolicyEvents.Event.PGDEACTIVATE)).isZero();
        // 60000 inactive: 180000 < 200000, low: SWAP_CLUSTER_MAX anon pages are deactivated
        for (int pfn = anonActive; pfn < anonActive + 10_000; pfn++) {
            p.pageRemoved(pfn);
        }
        new Scan(p).run(0, 12);
        assertThat(ev.get(io.vmsim.api.policy.PolicyEvents.Event.PGDEACTIVATE)).isEqualTo(TwoListPolicy.SWAP_CLUSTER_MAX);
        assertThat(p.isActive(0)).as("the active anon tail").isFalse();
        assertThat(p.isActive(anonActive + anonInactive)).as("file pages untouched").isTrue();
    }

    // ------------------------------------------------------------ refaults, Linux 5.9+ (6.18)

    @Test
    void fileRefault_countsTheAnonListsAsWorkingset_onlyWhenSwapIsAvailable() {
        for (boolean swap : new boolean[] {true, false}) {
            TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(64));
            addInactive(p, 0, 10, true);
            addActive(p, 10, 12, false);
            addInactive(p, 12, 18, false);
            Scan sc = new Scan(p);
            sc.mayAnon = false;
            sc.run(6, 0); // inactive file 6 > active 2, nothing to deactivate: the 6 go in order
            assertThat(sc.reclaimed).containsExactly(12, 13, 14, 15, 16, 17);
            sc.mayAnon = swap;
            sc.run(0, 12); // a request that finds nothing to do, with or without swap
            // refault distance of 12: the six evictions since its own, 6 > active file (2)
            p.pageRefaulted(12, sc.shadows.get(12));
            p.pageAdded(12, false);
            // with swap: 6 <= active file 2 + inactive anon 10 + active anon 0
            assertThat(p.isActive(12)).as("swap " + swap).isEqualTo(swap);
        }
    }

    @Test
    void anonRefault_countsTheInactiveFileListAsWorkingset() {
        for (int inactiveFile : new int[] {10, 2}) {
            Counted ev = new Counted();
            TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(64), ev);
            addInactive(p, 0, 4, true);
            addInactive(p, 10, 10 + inactiveFile, false);
            Scan sc = new Scan(p);
            sc.swappiness = 0; // with swap, the core allows anon reclaim at swappiness 0 only when file is tiny
            sc.run(4, 0);
            assertThat(sc.reclaimed).containsExactly(0, 1, 2, 3);
            // distance 4 against active file 0 + inactive file + active anon 0
            p.pageRefaulted(0, sc.shadows.get(0));
            p.pageAdded(0, true);
            boolean recent = 4 <= inactiveFile;
            assertThat(p.isActive(0)).as("inactive file " + inactiveFile).isEqualTo(recent);
            assertThat(ev.get(io.vmsim.api.policy.PolicyEvents.Event.WORKINGSET_ACTIVATE_ANON)).isEqualTo(recent ? 1 : 0);
            assertThat(ev.get(io.vmsim.api.policy.PolicyEvents.Event.WORKINGSET_RESTORE_ANON)).isZero();
            assertThat(p.isWorkingset(0)).as("PG_workingset only for a page that was active before").isFalse();
        }
    }

    @Test
    void workingsetEviction_recordsTheAgeBeforeAgingIt() {
        // workingset_eviction() reads nonresident_age, then ages it: a page evicted and refaulted
        // with one other eviction in between has distance 2, not 1.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(64));
        addActive(p, 10, 11, false);
        addInactive(p, 0, 2, false);
        p.pageRemoved(0);
        p.pageRemoved(1);
        long first = p.pageEvicted(0);
        p.pageEvicted(1);
        p.pageRefaulted(0, first);
        p.pageAdded(0, false);
        assertThat(p.isActive(0)).as("distance 2 > active file 1").isFalse();
    }

    // ------------------------------------------------------------ PG_referenced, mm/swap.c and mm/vmscan.c

    @Test
    void folioMarkAccessed_setsReferenced_activatesOnTheSecond_clearingIt_andAnActivePageKeepsIt() {
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(8));
        p.pageAddedUnreferenced(0, false);
        assertThat(p.isReferenced(0)).isFalse();
        p.pageMarkedAccessed(0);
        assertThat(p.isReferenced(0)).isTrue();
        assertThat(p.isActive(0)).isFalse();
        p.pageMarkedAccessed(0);
        assertThat(p.isActive(0)).isTrue();
        assertThat(p.isReferenced(0)).as("folio_mark_accessed() clears it on activation").isFalse();
        p.pageMarkedAccessed(0);
        assertThat(p.isReferenced(0)).isTrue();
        p.pageMarkedAccessed(0);
        assertThat(p.isActive(0)).isTrue();
        assertThat(p.isReferenced(0)).isTrue();
    }

    @Test
    void folioCheckReferences_marksAYoungPage_activatesOnTheSecondLook_andKeepsTheMark() {
        // 0 is the inactive file tail, 1 a filler; at priority 1 one page (2 >> 1) is scanned per pass.
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(8));
        p.pageAddedUnreferenced(0, false);
        p.pageAddedUnreferenced(1, false);
        p.pageAddedUnreferenced(2, false);
        Scan sc = new Scan(p).young(0, true, true);
        sc.mayAnon = false;
        sc.run(1, 1);
        assertThat(p.listOf(0)).isEqualTo(TwoListPolicy.LRU_INACTIVE_FILE);
        assertThat(p.isReferenced(0)).as("young, not referenced: marked and kept").isTrue();
        // 0 went to the head; move the others behind it so it is the tail again
        p.pageRemoved(1);
        p.pageRemoved(2);
        p.pageAddedUnreferenced(1, false);
        p.pageAddedUnreferenced(2, false);
        sc.run(1, 1);
        assertThat(p.isActive(0)).isTrue();
        assertThat(p.isReferenced(0)).as("the mark is set for activated folios as well").isTrue();
        assertThat(sc.reclaimed).isEmpty();
    }

    @Test
    void shrinkActiveList_deactivatesWithoutTouchingReferenced_andSetsWorkingset() {
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(8));
        addActive(p, 0, 1, false); // active, PG_referenced clear
        addActive(p, 1, 4, false);
        p.pageMarkedAccessed(1); // active, PG_referenced set
        // inactive file 0 < active 4: low, so the pass deactivates 4 >> 1 = 2 pages from the tail, 0 and 1
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.run(1, 1);
        for (int pfn : new int[] {0, 1}) {
            assertThat(p.listOf(pfn)).isEqualTo(TwoListPolicy.LRU_INACTIVE_FILE);
            assertThat(p.isWorkingset(pfn)).isTrue();
        }
        assertThat(p.isReferenced(0)).isFalse();
        assertThat(p.isReferenced(1)).isTrue();
    }

    @Test
    void aPageNotYoung_losesItsMark_andIsReclaimed_orKeptWithoutItWhenRefused() {
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(8));
        p.pageAdded(0, false); // a read() miss: PG_referenced
        p.pageAdded(1, false);
        p.pageAdded(2, false);
        Scan sc = new Scan(p);
        sc.mayAnon = false;
        sc.refuse.add(0);
        sc.run(1, 1); // 3 >> 1 = 1 page: 0, refused
        assertThat(p.listOf(0)).isEqualTo(TwoListPolicy.LRU_INACTIVE_FILE);
        assertThat(p.isReferenced(0)).isFalse();
        sc.run(1, 1);
        assertThat(sc.reclaimed).containsExactly(1);
    }

    @Test
    void aRecentlyDeactivatedPageUsedAgain_isRecoveredOnItsFirstYoungLook() {
        // Found young twice: activated (keeping PG_referenced); deactivated (keeping it); found
        // young once more: activated again at once, as folio_check_references() intends.
        Counted ev = new Counted();
        TwoListPolicy p = new TwoListPolicy(io.vmsim.api.machine.IntrusivePageLists.standalone(8), ev);
        p.pageAdded(0, false); // PG_referenced from the read that brought it in
        Scan sc = new Scan(p).young(0, true, false, true);
        sc.mayAnon = false;
        sc.run(1, 0);
        assertThat(ev.get(io.vmsim.api.policy.PolicyEvents.Event.PGACTIVATE)).isEqualTo(2);
    }

    @Test
    void pageDeactivated_movesAnActivePageToTheInactiveHead_asLruDeactivateDoes() {
        io.vmsim.api.machine.PageLists lists = io.vmsim.api.machine.IntrusivePageLists.standalone(16);
        java.util.EnumMap<io.vmsim.api.policy.PolicyEvents.Event, Long> counted =
                new java.util.EnumMap<>(io.vmsim.api.policy.PolicyEvents.Event.class);
        TwoListPolicy p = new TwoListPolicy(lists, (e, n) -> counted.merge(e, n, Long::sum));
        p.pageAdded(1, false);
        p.pageMarkedAccessed(1); // second use: active
        p.pageAdded(2, false);   // inactive file pages
        p.pageAdded(3, false);
        assertThat(p.isActive(1)).isTrue();
        p.pageDeactivated(1);
        p.pageDeactivated(2);
        // mm/swap.c lru_deactivate(): only an active page moves, counted once in pgdeactivate
        assertThat(p.isActive(1)).isFalse();
        assertThat(p.activeSize()).isZero();
        assertThat(p.inactiveSize()).isEqualTo(3);
        assertThat(counted).containsEntry(io.vmsim.api.policy.PolicyEvents.Event.PGDEACTIVATE, 1L);
        // lruvec_add_folio() puts the deactivated page at the head: the inactive pages added
        // before it (2, then 3) are reclaimed first, it last (priority 0 scans the whole list)
        Scan sc = new Scan(p).run(3, 0);
        assertThat(sc.reclaimed).containsExactly(2, 3, 1);
        p.verifyInvariants();
    }
}
