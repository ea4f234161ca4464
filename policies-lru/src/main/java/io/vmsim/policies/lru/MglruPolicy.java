package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.PolicyEvents;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * The multi-generational LRU ({@code Documentation/mm/multigen_lru.rst}, {@code lru_gen_*} in
 * {@code mm/vmscan.c} and {@code mm/workingset.c}), for one LRU domain and one page type.
 *
 * <ul>
 * <li>Generations: pages sit on one of up to {@code MAX_NR_GENS = 4} lists numbered by
 * sequence, {@code min_seq} (oldest) to {@code max_seq} (youngest). An anonymous page enters
 * the youngest generation ({@code folio_add_lru()} sets a page added in a fault active); a
 * file page enters the oldest, as a page-cache page added outside a fault does in
 * {@code lru_gen_add_folio()}, unless {@code file_pages_gen=youngest} (the SPI does not say
 * whether a fault added the page).</li>
 * <li>Aging ({@code try_to_inc_max_seq()}) runs when only {@code MIN_NR_GENS = 2} generations
 * are left: it opens a new youngest generation and, standing in for the page-table walk,
 * tests and clears the accessed bit of every page in the older generations, moving the young
 * ones into it.</li>
 * <li>Eviction ({@code evict_folios()}) takes pages from the tail of the oldest generation.
 * A page found young is moved to the youngest generation ({@code lru_gen_look_around()});
 * a page of a protected tier goes to the next generation ({@code sort_folio()}); any other
 * is evicted. An empty oldest generation is retired ({@code inc_min_seq()}).</li>
 * <li>Tiers and refault feedback: a page's tier counts (up to 3) the times it was found young
 * and promoted; in the kernel tiers count accesses through file descriptors, which a
 * replacement study does not have. The shadow of an evicted page records {@code min_seq},
 * its tier and {@code PG_workingset}; a refault within {@code MAX_NR_GENS} generations
 * ({@code lru_gen_test_recent()}) counts against its tier and restores tier and workingset.
 * Tiers are protected by comparing each tier's refault rate with tier 0's, with the gains and
 * the {@code MIN_LRU_BATCH} floor of {@code get_tier_idx()}/{@code positive_ctrl_err()};
 * the counters are halved into a running average whenever {@code min_seq} advances. That is
 * the proportional term of the kernel's PID controller only, and there is one page type, so
 * the anon/file choice it also makes does not arise.</li>
 * </ul>
 */
public final class MglruPolicy implements ReclaimPolicy {
    static final int MAX_NR_GENS = 4;
    static final int MIN_NR_GENS = 2;
    static final int MAX_NR_TIERS = 4;
    private static final int MIN_LRU_BATCH = 64;

    // bits: generation slot + 1 (3 bits), tier (2 bits), workingset, pending tier/workingset from a refault
    private static final int GEN_MASK = 7;
    private static final int TIER_SHIFT = 3;
    private static final int TIER_MASK = 3 << TIER_SHIFT;
    private static final int WORKINGSET = 1 << 5;
    private static final int ANON = 1 << 6;

    private final PageLists lists;
    private final PolicyEvents events;
    private final int[] gens = new int[MAX_NR_GENS];
    private long maxSeq = MIN_NR_GENS - 1;
    private long minSeq;
    private final long[] evicted = new long[MAX_NR_TIERS];
    private final long[] refaulted = new long[MAX_NR_TIERS];
    private final long[] protectedPages = new long[MAX_NR_TIERS];
    private final long[] avgTotal = new long[MAX_NR_TIERS];
    private final long[] avgRefaulted = new long[MAX_NR_TIERS];
    private long agings;
    private final boolean fileYoungest;

    /**
     * Empty generations threaded through the frames' links.
     *
     * @param fileYoungest whether a new file page enters the youngest generation (else the oldest)
     */
    public MglruPolicy(PageLists lists, boolean fileYoungest) {
        this(lists, fileYoungest, PolicyEvents.NONE);
    }

    /** As above, counting working-set events in {@code events}. */
    public MglruPolicy(PageLists lists, boolean fileYoungest, PolicyEvents events) {
        this.events = events;
        this.lists = lists;
        this.fileYoungest = fileYoungest;
        for (int i = 0; i < MAX_NR_GENS; i++) {
            gens[i] = lists.newList();
        }
    }

    private static int slot(long seq) {
        return (int) (seq % MAX_NR_GENS);
    }

    long maxSeq() {
        return maxSeq;
    }

    long minSeq() {
        return minSeq;
    }

    long agings() {
        return agings;
    }

    /** The sequence number of the generation holding {@code pfn}, or -1. */
    long seqOf(int pfn) {
        int g = lists.bits(pfn) & GEN_MASK;
        if (g == 0) {
            return -1;
        }
        for (long s = minSeq; s <= maxSeq; s++) {
            if (slot(s) == g - 1) {
                return s;
            }
        }
        return -1;
    }

    private void putOn(long seq, int pfn, int bits) {
        lists.addHead(gens[slot(seq)], pfn);
        lists.setBits(pfn, (bits & ~GEN_MASK) | (slot(seq) + 1));
    }

    @Override
    public boolean observesMarkAccessed() {
        return true;
    }

    /**
     * {@code folio_mark_accessed()} with MGLRU on ({@code mm/swap.c}): {@code folio_inc_refs()}
     * counts a use through a file descriptor, raising the page's tier without moving it; at
     * eviction {@code sort_folio()} gives pages of protected tiers another generation. Tiers here
     * count such uses directly (saturating at the top tier), not through the kernel's
     * order_base_2(refs) encoding.
     */
    @Override
    public void pageMarkedAccessed(int pfn) {
        int b = lists.bits(pfn);
        if ((b & GEN_MASK) != 0) {
            lists.setBits(pfn, promoted(b));
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        int b = lists.bits(pfn);
        if ((b & GEN_MASK) != 0) {
            return;
        }
        putOn(anon || fileYoungest ? maxSeq : minSeq, pfn, (b & (TIER_MASK | WORKINGSET)) | (anon ? ANON : 0));
        if (!anon) {
            // the read() that brought a file page in marks it accessed (folio_inc_refs()): its first use
            lists.setBits(pfn, promoted(lists.bits(pfn)));
        }
    }

    /** A readahead page, or a page of a split or collapse: placed as a new page, with no use counted. */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        int b = lists.bits(pfn);
        if ((b & GEN_MASK) != 0) {
            return;
        }
        putOn(anon || fileYoungest ? maxSeq : minSeq, pfn, (b & (TIER_MASK | WORKINGSET)) | (anon ? ANON : 0));
    }

    @Override
    public void pageRemoved(int pfn) {
        int g = lists.bits(pfn) & GEN_MASK;
        if (g != 0) {
            lists.remove(gens[g - 1], pfn);
        }
        lists.setBits(pfn, 0);
    }

    @Override
    public long pageEvicted(int pfn) {
        int b = lists.bits(pfn);
        int tier = (b & TIER_MASK) >>> TIER_SHIFT;
        evicted[tier]++;
        return minSeq << 4 | ((b & ANON) != 0 ? 8L : 0L) | (long) tier << 1 | ((b & WORKINGSET) != 0 ? 1 : 0);
    }

    @Override
    public void pageRefaulted(int pfn, long shadow) {
        long seq = shadow >>> 4;
        boolean anon = (shadow & 8) != 0;
        int tier = (int) (shadow >>> 1) & 3;
        boolean workingset = (shadow & 1) != 0;
        if (maxSeq - seq >= MAX_NR_GENS) {
            return; // not recent: lru_gen_test_recent() is false
        }
        refaulted[tier]++;
        // lru_gen_refault(): a recent refault counts as an activation, and as a restore if it was in the working set
        events.count(anon ? PolicyEvents.Event.WORKINGSET_ACTIVATE_ANON : PolicyEvents.Event.WORKINGSET_ACTIVATE_FILE);
        if (workingset) {
            events.count(anon ? PolicyEvents.Event.WORKINGSET_RESTORE_ANON : PolicyEvents.Event.WORKINGSET_RESTORE_FILE);
        }
        int b = lists.bits(pfn);
        int restored = (b & ~(TIER_MASK | WORKINGSET)) | tier << TIER_SHIFT | (workingset ? WORKINGSET : 0);
        lists.setBits(pfn, restored);
    }

    /** positive_ctrl_err(): true unless tier {@code t} refaults clearly more than tier 0. */
    private boolean positiveCtrlErr(int t) {
        long spRefaulted = avgRefaulted[0] + refaulted[0];
        long spTotal = avgTotal[0] + evicted[0] + protectedPages[0];
        long pvRefaulted = avgRefaulted[t] + refaulted[t];
        long pvTotal = avgTotal[t] + evicted[t] + protectedPages[t];
        return pvRefaulted < MIN_LRU_BATCH
                || pvRefaulted * (spTotal + MIN_LRU_BATCH) <= (spRefaulted + 1) * pvTotal * 2;
    }

    /** get_tier_idx(): tiers above the returned one are protected from eviction. */
    private int tierIdx() {
        int t = 1;
        while (t < MAX_NR_TIERS && positiveCtrlErr(t)) {
            t++;
        }
        return t - 1;
    }

    private int nrGens() {
        return (int) (maxSeq - minSeq + 1);
    }

    /** try_to_inc_max_seq(): a new youngest generation, young pages moved into it. */
    private void age(ScanControl sc) {
        maxSeq++;
        agings++;
        int young = gens[slot(maxSeq)];
        for (long s = minSeq; s < maxSeq; s++) {
            int list = gens[slot(s)];
            int n = lists.size(list);
            for (int pfn = lists.tail(list); n-- > 0 && pfn != PageLists.NIL; ) {
                int prev = lists.prev(pfn);
                sc.scanned(1);
                if (sc.testAndClearYoung(pfn)) {
                    int b = lists.bits(pfn);
                    lists.remove(list, pfn);
                    lists.addHead(young, pfn);
                    lists.setBits(pfn, promoted(b) & ~GEN_MASK | (slot(maxSeq) + 1));
                }
                pfn = prev;
            }
        }
    }

    private static int promoted(int b) {
        int tier = (b & TIER_MASK) >>> TIER_SHIFT;
        return (b & ~TIER_MASK) | Math.min(tier + 1, MAX_NR_TIERS - 1) << TIER_SHIFT;
    }

    /** inc_min_seq(): retire empty oldest generations, folding the tier counters into averages. */
    private void retireEmpty() {
        while (nrGens() > MIN_NR_GENS && lists.size(gens[slot(minSeq)]) == 0) {
            minSeq++;
            for (int t = 0; t < MAX_NR_TIERS; t++) {
                avgRefaulted[t] = (avgRefaulted[t] + refaulted[t]) / 2;
                avgTotal[t] = (avgTotal[t] + evicted[t] + protectedPages[t]) / 2;
                refaulted[t] = 0;
                evicted[t] = 0;
                protectedPages[t] = 0;
            }
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        long budget = 4L * size() + 8;
        while (sc.nrToReclaim() > 0 && budget-- > 0 && size() > 0) {
            retireEmpty();
            if (nrGens() <= MIN_NR_GENS) {
                age(sc);
            }
            int oldest = gens[slot(minSeq)];
            if (lists.size(oldest) == 0) {
                if (nrGens() == MIN_NR_GENS) {
                    // Only the youngest generations hold pages: age so the oldest can be retired.
                    age(sc);
                    retireEmpty();
                }
                continue;
            }
            int pfn = lists.tail(oldest);
            int b = lists.bits(pfn);
            lists.remove(oldest, pfn);
            sc.scanned(1);
            if (sc.testAndClearYoung(pfn)) {
                putOn(maxSeq, pfn, promoted(b));
                continue;
            }
            int tier = (b & TIER_MASK) >>> TIER_SHIFT;
            if (tier > tierIdx()) {
                protectedPages[tier]++;
                putOn(minSeq + 1, pfn, b & ~TIER_MASK); // folio_inc_gen() clears the refs
                continue;
            }
            if (!sc.reclaim(pfn)) {
                putOn(minSeq + 1, pfn, b);
                continue;
            }
            lists.setBits(pfn, 0);
        }
    }

    @Override
    public int size() {
        int n = 0;
        for (int g : gens) {
            n += lists.size(g);
        }
        return n;
    }

    @Override
    public void verifyInvariants() {
        if (nrGens() < MIN_NR_GENS || nrGens() > MAX_NR_GENS) {
            throw new IllegalStateException("mglru: " + nrGens() + " generations (min_seq " + minSeq + ", max_seq "
                    + maxSeq + ")");
        }
        for (int i = 0; i < MAX_NR_GENS; i++) {
            final int slot = i;
            Lists.verify(lists, gens[i], "mglru gen slot " + i, pfn -> (lists.bits(pfn) & GEN_MASK) == slot + 1);
        }
        for (int i = 0; i < MAX_NR_GENS; i++) {
            long seq = minSeq + ((i - slot(minSeq) + MAX_NR_GENS) % MAX_NR_GENS);
            if (seq > maxSeq && lists.size(gens[i]) != 0) {
                throw new IllegalStateException("mglru: slot " + i + " is outside min_seq..max_seq but holds pages");
            }
        }
    }
}
