package io.vmsim.policies.lru;

import io.vmsim.api.machine.IntrusivePageLists;
import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.ScanControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MGLRU against Linux 6.18's {@code mm/vmscan.c}, {@code mm/swap.c} and {@code mm/workingset.c}.
 * Expected values are the kernel's rules: {@code get_type_to_scan()} (swappiness 0 and 1 mean file
 * first, 200 anon first), {@code lru_tier_from_refs()} (tier {@code order_base_2(refs)}, 3 with
 * PG_workingset), {@code folio_update_gen()} (young once: PG_referenced; young again: the youngest
 * generation).
 */
final class MglruPolicyTest {

    /**
     * A small machine for driving the policy directly: each frame holds one page mapped by one PTE
     * (the PTE of frame {@code f} sits at address {@code f}), whose accessed bit is {@link #young}.
     */
    static final class Engine implements ScanControl {
        final PageLists lists;
        final MglruPolicy p;
        final boolean[] young;
        final boolean[] anon;
        final boolean[] resident;
        final long[] shadow;
        final List<Integer> reclaimed = new ArrayList<>();
        int swappiness = 60;
        boolean mayAnon = true;
        int remaining;
        int walks;
        int pageTests;

        Engine(int frames, boolean fileInFault) {
            lists = IntrusivePageLists.standalone(frames);
            p = new MglruPolicy(lists, fileInFault);
            young = new boolean[frames];
            anon = new boolean[frames];
            resident = new boolean[frames];
            shadow = new long[frames];
        }

        void add(int pfn, boolean isAnon) {
            resident[pfn] = true;
            anon[pfn] = isAnon;
            p.pageAdded(pfn, isAnon);
        }

        /** The page evicted from {@code pfn} comes back into it. */
        void refault(int pfn) {
            resident[pfn] = true;
            p.pageRefaulted(pfn, shadow[pfn]);
            p.pageAdded(pfn, anon[pfn]);
        }

        List<Integer> evict(int n) {
            int from = reclaimed.size();
            remaining = n;
            p.shrink(this);
            p.verifyInvariants();
            return List.copyOf(reclaimed.subList(from, reclaimed.size()));
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
            return swappiness;
        }

        @Override
        public boolean mayReclaimAnon() {
            return mayAnon;
        }

        @Override
        public boolean isKswapd() {
            return true;
        }

        @Override
        public boolean testAndClearYoung(int pfn) {
            pageTests++;
            boolean y = young[pfn];
            young[pfn] = false;
            return y;
        }

        @Override
        public int walkYoung(boolean withAnon, YoungVisitor visitor) {
            walks++;
            int n = 0;
            for (int f = 0; f < young.length; f++) {
                if (resident[f] && young[f] && (withAnon || !anon[f])) {
                    young[f] = false;
                    n++;
                    visitor.young(f);
                }
            }
            return n;
        }

        /** Neighbours: the PTEs of the frames next to it. */
        @Override
        public boolean lookAround(int pfn, YoungVisitor neighbours) {
            if (!testAndClearYoung(pfn)) {
                return false;
            }
            for (int f = Math.max(0, pfn - 1); f <= Math.min(young.length - 1, pfn + 1); f++) {
                if (f != pfn && resident[f] && young[f]) {
                    young[f] = false;
                    neighbours.young(f);
                }
            }
            return true;
        }

        @Override
        public void scanned(int pages) {
        }

        @Override
        public boolean reclaim(int pfn) {
            assertThat(remaining).isPositive();
            assertThat(resident[pfn]).isTrue();
            shadow[pfn] = p.pageEvicted(pfn);
            resident[pfn] = false;
            reclaimed.add(pfn);
            remaining--;
            return true;
        }
    }

    private static CacheHarness mglru(int frames) {
        return new CacheHarness(frames, (l, f) -> new MglruPolicy(l, false));
    }

    @Test
    void newPages_enterTheGenerationOfLruGenFolioSeq() {
        Engine e = new Engine(8, false);
        MglruPolicy p = e.p;
        e.add(0, false); // read(): max_seq - 3, no lower than min_seq
        e.add(1, true);  // a fault: max_seq - 1
        assertThat(p.seqOf(0)).isEqualTo(Math.max(p.maxSeq() - 3, p.minSeq(MglruPolicy.LRU_GEN_FILE)));
        assertThat(p.seqOf(1)).isEqualTo(p.maxSeq() - 1);
        Engine f = new Engine(8, true);
        f.add(0, false);
        assertThat(f.p.seqOf(0)).isEqualTo(f.p.maxSeq() - 1);
    }

    @Test
    void withoutSwap_onlyFilePagesAreEvicted() {
        Engine e = new Engine(16, true);
        e.mayAnon = false; // get_swappiness() is 0 without swap
        for (int f = 0; f < 8; f++) {
            e.add(f, true); // the older pages
        }
        for (int f = 8; f < 16; f++) {
            e.add(f, false);
        }
        assertThat(e.evict(8)).allMatch(f -> f >= 8);
        assertThat(e.evict(4)).isEmpty(); // nothing evictable is left
    }

    @Test
    void swappiness200_takesAnonymousPagesFirst_swappiness1_filePages() {
        // both types in the same generation (file pages placed as by a fault), file pages older
        Engine e = new Engine(16, true);
        e.swappiness = MglruPolicy.MAX_SWAPPINESS;
        for (int f = 0; f < 8; f++) {
            e.add(f, false);
        }
        for (int f = 8; f < 16; f++) {
            e.add(f, true);
        }
        assertThat(e.evict(4)).allMatch(f -> e.anon[f]);
        // and the other way round
        Engine g = new Engine(16, true);
        g.swappiness = 1;
        for (int f = 0; f < 8; f++) {
            g.add(f, true);
        }
        for (int f = 8; f < 16; f++) {
            g.add(f, false);
        }
        assertThat(g.evict(4)).noneMatch(f -> g.anon[f]);
    }

    @Test
    void eachTypeHasItsOwnMinSeq() {
        Engine e = new Engine(16, true);
        e.mayAnon = false;
        for (int f = 0; f < 8; f++) {
            e.add(f, true);
        }
        for (int f = 8; f < 16; f++) {
            e.add(f, false);
        }
        e.evict(8);
        MglruPolicy p = e.p;
        assertThat(p.minSeq(MglruPolicy.LRU_GEN_FILE)).isGreaterThan(p.minSeq(MglruPolicy.LRU_GEN_ANON));
        for (int t = 0; t < 2; t++) {
            assertThat(p.maxSeq() - p.minSeq(t) + 1).isBetween((long) MglruPolicy.MIN_NR_GENS, (long) MglruPolicy.MAX_NR_GENS);
        }
    }

    /** Anonymous pages evicted among the last 32 victims, after file pages were (or were not) refaulting. */
    private static long anonVictimsAfter(boolean fileRefaults) {
        Engine e = new Engine(256, true);
        e.swappiness = 100;
        for (int f = 0; f < 128; f++) {
            e.add(f, false);
        }
        e.evict(128);
        for (int f = 0; f < 128; f++) {
            if (fileRefaults) {
                e.refault(f);
            } else {
                e.add(f, false);
            }
        }
        for (int f = 128; f < 256; f++) {
            e.add(f, true);
        }
        return e.evict(32).stream().filter(f -> e.anon[f]).count();
    }

    @Test
    void refaultingFilePages_turnEvictionToAnonymousPages() {
        // get_type_to_scan(): file refaults (128 of 128 evicted) against none for anon, equal gains
        assertThat(anonVictimsAfter(false)).isZero();
        assertThat(anonVictimsAfter(true)).isEqualTo(32);
    }

    @Test
    void aging_walksThePageTables_insteadOfTestingEveryOlderPage() {
        Engine e = new Engine(64, true);
        e.mayAnon = false;
        for (int f = 0; f < 64; f++) {
            e.add(f, false);
        }
        e.evict(40);
        assertThat(e.p.agings()).isPositive();
        assertThat(e.walks).isEqualTo((int) e.p.agings());
        // the only per-page tests are those of the pages isolated for eviction
        assertThat(e.pageTests).isEqualTo(e.reclaimed.size());
    }

    @Test
    void theWalk_marksAPageFoundYoungOnce_andPromotesOneAlreadyReferenced() {
        Engine e = new Engine(32, true);
        e.mayAnon = false;
        for (int f = 0; f < 32; f++) {
            e.add(f, false); // a fault: max_seq - 1, not referenced
        }
        MglruPolicy p = e.p;
        p.pageMarkedAccessed(31); // a read() hit: PG_referenced
        long seq = p.seqOf(30);
        e.young[30] = true;
        e.young[31] = true;
        e.evict(1); // the generations run out at once: aging before eviction
        assertThat(p.agings()).isEqualTo(1);
        assertThat(e.walks).isEqualTo(1);
        // folio_update_gen(): young for the first time, only PG_referenced; no use counted
        assertThat(p.seqOf(30)).isEqualTo(seq);
        assertThat(p.workingset(30)).isFalse();
        assertThat(p.tierOf(30)).as("refs 1: tier 0").isZero();
        // already referenced: to max_seq as it was during the walk, which inc_max_seq() then made the second youngest
        assertThat(p.seqOf(31)).isEqualTo(p.maxSeq() - 1);
        assertThat(p.workingset(31)).isTrue();
    }

    @Test
    void evictingAYoungPage_promotesItsYoungNeighbours_withoutAging() {
        Engine e = new Engine(16, false);
        e.mayAnon = false;
        for (int f = 0; f < 16; f++) {
            e.add(f, false); // read(): the oldest generation, PG_referenced set
        }
        MglruPolicy p = e.p;
        e.young[0] = true;
        e.young[1] = true;
        e.evict(1);
        assertThat(p.agings()).isZero();
        assertThat(e.resident[0]).as("young: kept").isTrue();
        assertThat(e.resident[1]).isTrue();
        // frame 1 was already PG_referenced (its read()): found young around frame 0, it is promoted
        assertThat(p.seqOf(1)).isEqualTo(p.maxSeq());
        assertThat(p.workingset(1)).isTrue();
    }

    @Test
    void tiers_countUsesThroughFileDescriptors_asOrderBase2() {
        Engine e = new Engine(4, false);
        MglruPolicy p = e.p;
        e.add(0, false); // the read() that brought it in is its first use
        int[] expected = {0, 1, 2, 2, 3}; // refs 1..4: order_base_2(refs); then PG_workingset
        for (int uses = 1; uses <= 5; uses++) {
            assertThat(p.tierOf(0)).as("%d uses", uses).isEqualTo(expected[uses - 1]);
            p.pageMarkedAccessed(0);
        }
        assertThat(p.workingset(0)).isTrue();
    }

    /** Pages of tier 1 among the first 64 victims, after the evicted tier-1 pages did (or did not) refault. */
    private static long tierOneVictimsAfter(boolean refaults) {
        Engine e = new Engine(512, false);
        e.mayAnon = false;
        MglruPolicy p = e.p;
        for (int f = 0; f < 256; f++) {
            e.add(f, false); // read(): one use, tier 0
            if (f < 128) {
                p.pageMarkedAccessed(f); // two uses: tier order_base_2(2) = 1
            }
        }
        e.evict(256);
        for (int f = 384; f < 512; f++) {
            e.add(f, false);
            p.pageMarkedAccessed(f); // tier 1, and the oldest of the generation they share below
        }
        for (int f = 0; f < 128; f++) {
            if (refaults) {
                e.refault(f); // within MAX_NR_GENS of max_seq: counts in refaulted[file][1]
            } else {
                e.add(f, false);
            }
        }
        for (int f = 256; f < 384; f++) {
            e.add(f, false);
        }
        return e.evict(64).stream().filter(f -> f >= 384).count();
    }

    @Test
    void aTierThatRefaultsMoreThanTierZero_isProtected() {
        // get_tier_idx(): tier 1 refaulted 128 times against none for tier 0, gains 3 and 2
        assertThat(tierOneVictimsAfter(false)).isEqualTo(64);
        assertThat(tierOneVictimsAfter(true)).isZero();
    }

    @Test
    void aRefault_restoresTheRefs_andTheReadThatBringsThePageBackAddsOne() {
        Engine e = new Engine(4, false);
        e.mayAnon = false;
        for (int f = 0; f < 4; f++) {
            e.add(f, false);
        }
        MglruPolicy p = e.p;
        p.pageMarkedAccessed(0); // two uses: refs 2, tier 1
        p.pageRemoved(1);
        e.resident[1] = false;
        while (e.resident[0]) {
            e.evict(1);
        }
        e.refault(0);
        assertThat(p.tierOf(0)).as("refs 2 + the read(): order_base_2(3)").isEqualTo(2);
    }

    @Test
    void aWorkingSetPage_refaultsWithPgWorkingset() {
        Engine e = new Engine(8, false);
        e.mayAnon = false;
        for (int f = 0; f < 8; f++) {
            e.add(f, false);
        }
        MglruPolicy p = e.p;
        for (int f = 0; f < 8; f++) {
            for (int i = 0; i < 4; i++) {
                p.pageMarkedAccessed(f);
            }
        }
        e.evict(8);
        int victim = e.reclaimed.get(0);
        e.refault(victim);
        assertThat(p.workingset(victim)).isTrue();
        // lru_gen_folio_seq(): not in a fault, PG_workingset: max_seq - 2
        assertThat(p.seqOf(victim)).isEqualTo(Math.max(p.maxSeq() - 2, p.minSeq(MglruPolicy.LRU_GEN_FILE)));
    }

    @Test
    void randomRuns_keepGenerationsWithinBounds() {
        Random rnd = new Random(29);
        for (int frames : new int[] {1, 2, 16, 128}) {
            int[] seq = new int[20_000];
            for (int i = 0; i < seq.length; i++) {
                seq[i] = rnd.nextInt(3) == 0 ? rnd.nextInt(1000) : rnd.nextInt(60);
            }
            CacheHarness h = mglru(frames);
            h.run(seq);
            assertThat(h.policy.size()).isEqualTo(frames);
            CacheHarness m = mglru(frames).mapped();
            m.run(seq);
            assertThat(m.policy.size()).isEqualTo(frames);
        }
    }
}
