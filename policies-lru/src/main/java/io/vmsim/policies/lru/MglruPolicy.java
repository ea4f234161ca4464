package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.PolicyEvents;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * The multi-generational LRU as Linux 6.18 has it ({@code Documentation/mm/multigen_lru.rst},
 * {@code lru_gen_*} in {@code mm/vmscan.c}, {@code include/linux/mm_inline.h},
 * {@code mm/swap.c} and {@code mm/workingset.c}), for one LRU domain ({@code lruvec}).
 *
 * <ul>
 * <li><b>Generations, per type.</b> Anonymous and file pages sit on separate lists of up to
 * {@code MAX_NR_GENS = 4} generations each; the types share one {@code max_seq} (youngest) and
 * keep their own {@code min_seq[ANON_AND_FILE]} (oldest), each type holding 2 to 4 generations
 * ({@code seq_is_valid()}). A new page's generation is {@code lru_gen_folio_seq()}'s: an anonymous
 * page, added in a fault, enters {@code max_seq - 1}; a file page added by {@code read()} enters
 * {@code max_seq - 3}, or {@code max_seq - 2} with PG_workingset, but not below {@code min_seq}; with
 * {@code file_pages_added=fault} file pages are placed as pages added in a fault ({@code max_seq - 1},
 * {@code max_seq} with PG_workingset), since the SPI does not say which path added a page.</li>
 * <li><b>Aging</b> ({@code try_to_inc_max_seq()}) runs when the evictable types have only
 * {@code MIN_NR_GENS = 2} generations left ({@code should_run_aging()}). It walks the page tables
 * of every process ({@code walk_mm()}, through {@link ScanControl#walkYoung}): a page mapped by a
 * young PTE, which the walk makes old, gets PG_referenced the first time; found young again, or
 * already PG_workingset, it moves to the youngest generation with PG_workingset set
 * ({@code folio_update_gen()}). Then {@code inc_max_seq()} opens a new youngest generation, first
 * retiring the oldest generation of a type that has four ({@code inc_min_seq()}, its pages moved
 * one generation up).</li>
 * <li><b>Eviction</b> ({@code evict_folios()}) takes pages from the tail of the oldest generation
 * of the type {@code get_type_to_scan()} chooses, else of the other evictable type
 * ({@code isolate_folios()}). Swappiness decides which types are evictable and weighs them:
 * {@code vm.swappiness} from {@link ScanControl#swappiness()}, 0 when anonymous pages may not be
 * reclaimed ({@code get_swappiness()}: no swap); at 0 only file pages are evictable, at 0 or 1
 * file pages come first, at 200 anonymous pages come first; in between the type whose refaults,
 * summed over all tiers, are relatively fewer is chosen, with gains {@code swappiness} for anon
 * and {@code 200 - swappiness} for file ({@code positive_ctrl_err()}). A page of a protected tier,
 * or one used through file descriptors so often that all its reference bits are set, goes to the
 * next generation ({@code sort_folio()}, {@code folio_inc_gen()}). Another is isolated and its
 * PTEs tested through the reverse map with {@code lru_gen_look_around()}
 * ({@link ScanControl#lookAround}, which also ages the young PTEs next to it): not young, it is
 * reclaimed; young for the first time it gets PG_referenced and is kept; young again, or
 * PG_workingset, it is activated into the youngest generation ({@code lru_gen_set_refs()},
 * {@code lru_gen_folio_check_references()}). A kept or refused page never goes back to the oldest
 * generation. Empty oldest generations are retired after each page ({@code try_to_inc_min_seq()}),
 * keeping the two types' {@code min_seq} within two of each other.</li>
 * <li><b>Tiers</b> come from uses through file descriptors ({@code folio_mark_accessed()} calling
 * {@code lru_gen_inc_refs()}, here {@link #pageMarkedAccessed}): the first sets PG_referenced, the
 * next three count in the 2-bit {@code LRU_REFS} field, a further one sets PG_workingset. A page
 * with {@code refs} uses is in tier {@code order_base_2(refs)}, tier 3 with PG_workingset
 * ({@code lru_tier_from_refs()}). Accessed bits never raise a tier.</li>
 * <li><b>Feedback</b>: each eviction counts in {@code evicted[type][tier]}, each protection in
 * {@code protected}, and the shadow ({@code lru_gen_eviction()}) keeps the type's {@code min_seq},
 * the page's refs and PG_workingset. A refault within {@code MAX_NR_GENS} of {@code max_seq}
 * ({@code lru_gen_test_recent()}) counts in {@code refaulted[type][tier]} and restores PG_workingset
 * ({@code workingset_restore}) or the refs ({@code lru_gen_refault()}; see the deviation below). A
 * tier above tier 0 is
 * protected while its refault rate, with gain 3, stays clearly above tier 0's with gain 2
 * ({@code get_tier_idx()}). The counters of a type fold into running averages (halved) when its
 * {@code min_seq} advances ({@code reset_ctrl_pos()}): the controller's P and I terms; there is no
 * D term in the kernel either.</li>
 * </ul>
 * <b>Deviation</b>: a refault restores the page's refs <em>with</em> PG_referenced, so they count
 * and the {@code read()} that brought the page back adds one. In 6.18 {@code lru_gen_refault()}
 * restores the {@code LRU_REFS} field alone, which is valid only with PG_referenced, and that
 * {@code read()}'s {@code lru_gen_inc_refs()} clears it: a page refaulted by {@code read()} starts
 * again from one use (6.1 to 6.13 instead restored PG_workingset for a page of three or more
 * uses). Strictly as 6.18, a hot file re-read once between memory-sized streaming reads (the
 * {@code workingset} scenario) never climbs above tier 0 and is evicted with the stream (warm hit
 * ratio 0.08 instead of 0.92).
 * <p>Not modelled: batches of {@code MIN_LRU_BATCH} pages (pages are taken one by one, as many as the
 * request asks); the scan budget of {@code get_nr_to_scan()} and its not aging at
 * {@code DEF_PRIORITY} (aging runs as soon as eviction needs it); {@code lru_gen_min_ttl}; the
 * Bloom filters (they save walking time, not change what a walk finds); zones; a swapped-in page
 * in the swap cache, placed here as any anonymous page. {@code workingset_activate} counts a recent
 * refault of an anonymous page (always in a fault) and, with {@code file_pages_added=fault}, of a file
 * page: Linux counts it only for a refault in a page fault ({@code lru_gen_in_fault()}).
 */
public final class MglruPolicy implements ReclaimPolicy {
    static final int MAX_NR_GENS = 4;
    static final int MIN_NR_GENS = 2;
    static final int MAX_NR_TIERS = 4;
    static final int LRU_GEN_ANON = 0;
    static final int LRU_GEN_FILE = 1;
    static final int MAX_SWAPPINESS = 200;
    private static final int MIN_LRU_BATCH = 64;
    private static final int LRU_REFS_WIDTH = 2;

    // the page's eight bits: generation slot + 1 (3 bits), anon, PG_referenced, LRU_REFS (2 bits), PG_workingset
    private static final int GEN_MASK = 7;
    private static final int ANON = 1 << 3;
    private static final int REFERENCED = 1 << 4;
    private static final int REFS_SHIFT = 5;
    private static final int REFS_MASK = ((1 << LRU_REFS_WIDTH) - 1) << REFS_SHIFT;
    private static final int WORKINGSET = 1 << 7;

    private final PageLists lists;
    private final PolicyEvents events;
    private final boolean fileInFault;
    /** {@code lrugen->folios[gen][type]}: a list per type and generation slot. */
    private final int[][] gens = new int[2][MAX_NR_GENS];
    /** {@code lru_gen_init_lruvec()}: {@code max_seq = MIN_NR_GENS + 1}, {@code min_seq} 0. */
    private long maxSeq = MIN_NR_GENS + 1;
    private final long[] minSeq = new long[2];
    private final long[][] evicted = new long[2][MAX_NR_TIERS];
    private final long[][] refaulted = new long[2][MAX_NR_TIERS];
    private final long[][] protectedPages = new long[2][MAX_NR_TIERS];
    private final long[][] avgTotal = new long[2][MAX_NR_TIERS];
    private final long[][] avgRefaulted = new long[2][MAX_NR_TIERS];
    private long agings;
    /** {@code folio_update_gen()} for pages a page-table walk or a look-around finds young; one instance. */
    private final ScanControl.YoungVisitor promote = this::updateGen;

    /**
     * Empty generations threaded through the frames' links.
     *
     * @param fileInFault whether new file pages are placed as pages added in a page fault (else as
     *                    pages added by {@code read()})
     */
    public MglruPolicy(PageLists lists, boolean fileInFault) {
        this(lists, fileInFault, PolicyEvents.NONE);
    }

    /** As above, counting working-set events in {@code events}. */
    public MglruPolicy(PageLists lists, boolean fileInFault, PolicyEvents events) {
        this.events = events;
        this.lists = lists;
        this.fileInFault = fileInFault;
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < MAX_NR_GENS; i++) {
                gens[t][i] = lists.newList();
            }
        }
    }

    private static int slot(long seq) {
        return (int) (seq % MAX_NR_GENS);
    }

    private static int typeOf(int bits) {
        return (bits & ANON) != 0 ? LRU_GEN_ANON : LRU_GEN_FILE;
    }

    long maxSeq() {
        return maxSeq;
    }

    long minSeq(int type) {
        return minSeq[type];
    }

    long agings() {
        return agings;
    }

    /** {@code folio_lru_refs()}: uses through file descriptors, PG_referenced included; 0 without it. */
    private static int refs(int bits) {
        return (bits & REFERENCED) == 0 ? 0 : ((bits & REFS_MASK) >>> REFS_SHIFT) + 1;
    }

    private static int orderBase2(int n) {
        return n <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    /** {@code lru_tier_from_refs()}. */
    private static int tier(int refs, boolean workingset) {
        return workingset ? MAX_NR_TIERS - 1 : orderBase2(refs);
    }

    /** The tier of the page in {@code pfn}. */
    int tierOf(int pfn) {
        int b = lists.bits(pfn);
        return tier(refs(b), (b & WORKINGSET) != 0);
    }

    /** Whether the page in {@code pfn} has PG_workingset. */
    boolean workingset(int pfn) {
        return (lists.bits(pfn) & WORKINGSET) != 0;
    }

    /** The sequence number of the generation holding {@code pfn}, or -1. */
    long seqOf(int pfn) {
        int b = lists.bits(pfn);
        int g = b & GEN_MASK;
        if (g == 0) {
            return -1;
        }
        int type = typeOf(b);
        for (long s = minSeq[type]; s <= maxSeq; s++) {
            if (slot(s) == g - 1) {
                return s;
            }
        }
        return -1;
    }

    private int nrGens(int type) {
        return (int) (maxSeq - minSeq[type] + 1);
    }

    private void putOn(int type, long seq, int pfn, int bits) {
        lists.addHead(gens[type][slot(seq)], pfn);
        lists.setBits(pfn, (bits & ~GEN_MASK) | (slot(seq) + 1));
    }

    /** {@code lru_gen_folio_seq()} for a page put on the LRU (not by reclaim). */
    private long folioSeq(int type, boolean active, boolean workingset) {
        int gen;
        if (active) {
            gen = MIN_NR_GENS - (workingset ? 1 : 0);
        } else if (type == LRU_GEN_ANON) {
            gen = MIN_NR_GENS; // anonymous and not in the swap cache
        } else {
            gen = MAX_NR_GENS - (workingset ? 1 : 0);
        }
        return Math.max(maxSeq - gen + 1, minSeq[type]);
    }

    private void add(int pfn, boolean anon, boolean referenced) {
        int b = lists.bits(pfn);
        if ((b & GEN_MASK) != 0) {
            return;
        }
        int type = anon ? LRU_GEN_ANON : LRU_GEN_FILE;
        b = (b & (REFERENCED | REFS_MASK | WORKINGSET)) | (anon ? ANON : 0);
        // folio_add_lru(): a page added in a page fault is set active
        boolean active = anon || fileInFault;
        putOn(type, folioSeq(type, active, (b & WORKINGSET) != 0), pfn, b);
        if (referenced && !anon && !fileInFault) {
            pageMarkedAccessed(pfn); // the read() that brought it in: filemap_read()'s folio_mark_accessed()
        }
    }

    @Override
    public boolean observesMarkAccessed() {
        return true;
    }

    /**
     * {@code folio_mark_accessed()} with MGLRU on calls {@code lru_gen_inc_refs()}
     * ({@code mm/swap.c}): the first use sets PG_referenced (and clears the refs), the next ones
     * count in {@code LRU_REFS} until it is full, then PG_workingset is set. The page stays where
     * it is; {@code sort_folio()} protects it at eviction if its tier is protected.
     */
    @Override
    public void pageMarkedAccessed(int pfn) {
        int b = lists.bits(pfn);
        if ((b & GEN_MASK) == 0) {
            return;
        }
        if ((b & REFERENCED) == 0) {
            b = (b & ~REFS_MASK) | REFERENCED;
        } else if ((b & REFS_MASK) == REFS_MASK) {
            b |= WORKINGSET;
        } else {
            b += 1 << REFS_SHIFT;
        }
        lists.setBits(pfn, b);
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        add(pfn, anon, true);
    }

    /**
     * A whole-page {@code write()} miss: placed as a new page with no {@code lru_gen_inc_refs()},
     * since {@code generic_perform_write()} does not call {@code folio_mark_accessed()}
     * (conformance/flags/pagecache-marks.json).
     */
    @Override
    public void pageAddedByWrite(int pfn) {
        add(pfn, false, false);
    }

    /** A readahead page, or a page of a split or collapse: placed as a new page, with no use counted. */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        add(pfn, anon, false);
    }

    @Override
    public void pageRemoved(int pfn) {
        int b = lists.bits(pfn);
        int g = b & GEN_MASK;
        if (g != 0) {
            lists.remove(gens[typeOf(b)][g - 1], pfn);
        }
        lists.setBits(pfn, 0);
    }

    /** Migration keeps the generation and the flags ({@code folio_migrate_flags()}, {@code folio_migrate_refs()}). */
    @Override
    public void pageMigrated(int from, int to, boolean anon) {
        int b = lists.bits(from);
        int g = b & GEN_MASK;
        if (g == 0) {
            pageRemoved(from);
            pageAddedUnreferenced(to, anon);
            return;
        }
        lists.replace(gens[typeOf(b)][g - 1], from, to);
    }

    /** {@code lru_gen_eviction()}: counts the eviction in the page's tier and returns the shadow. */
    @Override
    public long pageEvicted(int pfn) {
        int b = lists.bits(pfn);
        int type = typeOf(b);
        int refs = refs(b);
        boolean ws = (b & WORKINGSET) != 0;
        evicted[type][tier(refs, ws)]++;
        long token = minSeq[type] << LRU_REFS_WIDTH | Math.max(refs - 1, 0);
        return token << 2 | (long) type << 1 | (ws ? 1 : 0);
    }

    /** {@code lru_gen_refault()} ({@code mm/workingset.c}). */
    @Override
    public void pageRefaulted(int pfn, long shadow) {
        boolean ws = (shadow & 1) != 0;
        int type = (int) (shadow >>> 1) & 1;
        long token = shadow >>> 2;
        long seq = token >>> LRU_REFS_WIDTH;
        int refs = (int) (token & ((1 << LRU_REFS_WIDTH) - 1)) + 1;
        if (maxSeq - seq >= MAX_NR_GENS) {
            return; // lru_gen_test_recent(): evicted more than MAX_NR_GENS generations ago
        }
        refaulted[type][tier(refs, ws)]++;
        boolean anon = type == LRU_GEN_ANON;
        if (anon || fileInFault) {
            events.count(anon ? PolicyEvents.Event.WORKINGSET_ACTIVATE_ANON : PolicyEvents.Event.WORKINGSET_ACTIVATE_FILE);
        }
        int b = lists.bits(pfn);
        if (ws) {
            b |= WORKINGSET;
            events.count(anon ? PolicyEvents.Event.WORKINGSET_RESTORE_ANON : PolicyEvents.Event.WORKINGSET_RESTORE_FILE);
        } else {
            // the restored refs count (PG_referenced with them): a deviation, see the class comment
            b = (b & ~REFS_MASK) | REFERENCED | (refs - 1) << REFS_SHIFT;
        }
        lists.setBits(pfn, b);
    }

    // ---------------------------------------------------------------- the PID controller

    private long ctrlRefaulted(int type, int tier) {
        long n = 0;
        for (int i = tier % MAX_NR_TIERS; i <= Math.min(tier, MAX_NR_TIERS - 1); i++) {
            n += avgRefaulted[type][i] + refaulted[type][i];
        }
        return n;
    }

    private long ctrlTotal(int type, int tier) {
        long n = 0;
        for (int i = tier % MAX_NR_TIERS; i <= Math.min(tier, MAX_NR_TIERS - 1); i++) {
            n += avgTotal[type][i] + protectedPages[type][i] + evicted[type][i];
        }
        return n;
    }

    /** {@code positive_ctrl_err()}: true if the PV refaults little, or less than the SP. */
    private static boolean positiveCtrlErr(long spRefaulted, long spTotal, long spGain,
                                           long pvRefaulted, long pvTotal, long pvGain) {
        return pvRefaulted < MIN_LRU_BATCH
                || pvRefaulted * (spTotal + MIN_LRU_BATCH) * spGain <= (spRefaulted + 1) * pvTotal * pvGain;
    }

    /** {@code get_tier_idx()}: tiers above the returned one are protected from eviction. */
    private int tierIdx(int type) {
        long spR = ctrlRefaulted(type, 0);
        long spT = ctrlTotal(type, 0);
        int t = 1;
        while (t < MAX_NR_TIERS && positiveCtrlErr(spR, spT, 2, ctrlRefaulted(type, t), ctrlTotal(type, t), 3)) {
            t++;
        }
        return t - 1;
    }

    /** {@code get_type_to_scan()}. */
    private int typeToScan(int swappiness) {
        if (swappiness <= 1) {
            return LRU_GEN_FILE;
        }
        if (swappiness >= MAX_SWAPPINESS) {
            return LRU_GEN_ANON;
        }
        // the sum of all tiers of anon against that of file
        return positiveCtrlErr(ctrlRefaulted(LRU_GEN_ANON, MAX_NR_TIERS), ctrlTotal(LRU_GEN_ANON, MAX_NR_TIERS), swappiness,
                ctrlRefaulted(LRU_GEN_FILE, MAX_NR_TIERS), ctrlTotal(LRU_GEN_FILE, MAX_NR_TIERS), MAX_SWAPPINESS - swappiness)
                ? LRU_GEN_FILE : LRU_GEN_ANON;
    }

    /** {@code reset_ctrl_pos(type, true)} with one history generation: fold the counters into the averages. */
    private void resetCtrlPos(int type) {
        for (int t = 0; t < MAX_NR_TIERS; t++) {
            avgRefaulted[type][t] = (avgRefaulted[type][t] + refaulted[type][t]) / 2;
            avgTotal[type][t] = (avgTotal[type][t] + protectedPages[type][t] + evicted[type][t]) / 2;
            refaulted[type][t] = 0;
            evicted[type][t] = 0;
            protectedPages[type][t] = 0;
        }
    }

    // ---------------------------------------------------------------- the aging

    /**
     * {@code folio_update_gen()} for a page found young by a page-table walk or a look-around: the
     * first time it only gets PG_referenced; then, or with PG_workingset, it moves to the youngest
     * generation with PG_workingset, its reference bits cleared. Pages not on the lists (the victim
     * being reclaimed, a page of no generation) are left alone.
     */
    private void updateGen(int pfn) {
        int b = lists.bits(pfn);
        int g = b & GEN_MASK;
        if (g == 0) {
            return;
        }
        if ((b & (REFERENCED | WORKINGSET)) == 0) {
            lists.setBits(pfn, (b & ~REFS_MASK) | REFERENCED);
            return;
        }
        int type = typeOf(b);
        lists.remove(gens[type][g - 1], pfn);
        putOn(type, maxSeq, pfn, (b & ~(REFS_MASK | REFERENCED)) | WORKINGSET);
    }

    /** {@code try_to_inc_max_seq()}: the page-table walk, then {@code inc_max_seq()}. */
    private void age(ScanControl sc, int swappiness) {
        agings++;
        sc.walkYoung(swappiness != 0, promote);
        for (int type = 0; type < 2; type++) {
            if (nrGens(type) == MAX_NR_GENS) {
                incMinSeq(type, swappiness);
            }
        }
        maxSeq++;
    }

    /** {@code inc_min_seq()}: the oldest generation's pages move up one (unless the type is not evictable). */
    private void incMinSeq(int type, int swappiness) {
        if (type == LRU_GEN_FILE || swappiness != 0) {
            int old = gens[type][slot(minSeq[type])];
            int young = gens[type][slot(minSeq[type] + 1)];
            for (int pfn = lists.tail(old); pfn != PageLists.NIL; pfn = lists.tail(old)) {
                int b = lists.bits(pfn);
                int refs = refs(b);
                boolean ws = (b & WORKINGSET) != 0;
                lists.remove(old, pfn);
                // folio_inc_gen(): to the tail of the next generation, LRU_REFS_FLAGS cleared
                lists.addTail(young, pfn);
                lists.setBits(pfn, (b & ~(GEN_MASK | REFS_MASK | REFERENCED)) | (slot(minSeq[type] + 1) + 1));
                if (refs + (ws ? 1 : 0) != (1 << LRU_REFS_WIDTH) + 1) {
                    protectedPages[type][tier(refs, ws)]++; // not the working set being lazily promoted
                }
            }
        }
        resetCtrlPos(type);
        minSeq[type]++;
    }

    // ---------------------------------------------------------------- the eviction

    /** The first and last evictable types for {@code swappiness} ({@code min_type()}, {@code max_type()}). */
    private static int minType(int swappiness) {
        return swappiness == 0 ? LRU_GEN_FILE : LRU_GEN_ANON;
    }

    private long evictableMinSeq(int swappiness) {
        return Math.min(minSeq[minType(swappiness)], minSeq[LRU_GEN_FILE]);
    }

    private int evictablePages(int swappiness) {
        int n = 0;
        for (int type = minType(swappiness); type <= LRU_GEN_FILE; type++) {
            for (int g : gens[type]) {
                n += lists.size(g);
            }
        }
        return n;
    }

    /** {@code try_to_inc_min_seq()}: retire the empty oldest generations of the evictable types. */
    private boolean tryToIncMinSeq(int swappiness) {
        long anon = minSeq[LRU_GEN_ANON];
        long file = minSeq[LRU_GEN_FILE];
        boolean inc = false;
        if (swappiness != 0) {
            while (anon + MIN_NR_GENS <= maxSeq && lists.size(gens[LRU_GEN_ANON][slot(anon)]) == 0) {
                anon++;
                inc = true;
            }
        }
        while (file + MIN_NR_GENS <= maxSeq && lists.size(gens[LRU_GEN_FILE][slot(file)]) == 0) {
            file++;
            inc = true;
        }
        if (!inc) {
            return false;
        }
        if (swappiness != 0) {
            // keep the types within MAX_NR_GENS - MIN_NR_GENS of each other (the comment on lru_gen_folio)
            long seq = maxSeq - MIN_NR_GENS;
            if (anon > seq && file < seq) {
                anon = seq;
            } else if (file > seq && anon < seq) {
                file = seq;
            }
        }
        boolean success = false;
        if (anon > minSeq[LRU_GEN_ANON]) {
            resetCtrlPos(LRU_GEN_ANON);
            minSeq[LRU_GEN_ANON] = anon;
            success = true;
        }
        if (file > minSeq[LRU_GEN_FILE]) {
            resetCtrlPos(LRU_GEN_FILE);
            minSeq[LRU_GEN_FILE] = file;
            success = true;
        }
        return success;
    }

    /**
     * Puts back a page that was isolated but not reclaimed ({@code move_folios_to_lru()}), never
     * into the oldest generation: there it is made active instead, its reference bits cleared
     * ({@code evict_folios()}).
     */
    private void putBack(int type, int pfn, int b, boolean active) {
        boolean ws = (b & WORKINGSET) != 0;
        long seq = folioSeq(type, active, ws);
        if (!active && seq == minSeq[type]) {
            b &= ~(REFS_MASK | REFERENCED);
            seq = folioSeq(type, true, ws);
        }
        putOn(type, seq, pfn, b);
    }

    /**
     * {@code scan_folios()} for one page of the oldest generation of {@code type}, then
     * {@code shrink_folio_list()} for it. Returns false if there was none to scan.
     */
    private boolean scanOne(ScanControl sc, int type) {
        if (nrGens(type) == MIN_NR_GENS) {
            return false;
        }
        int list = gens[type][slot(minSeq[type])];
        int pfn = lists.tail(list);
        if (pfn == PageLists.NIL) {
            return false;
        }
        int b = lists.bits(pfn);
        int refs = refs(b);
        boolean ws = (b & WORKINGSET) != 0;
        int tier = tier(refs, ws);
        lists.remove(list, pfn);
        // sort_folio(): protected, or the working set lazily promoted
        boolean lazy = refs + (ws ? 1 : 0) == (1 << LRU_REFS_WIDTH) + 1;
        if (tier > tierIdx(type) || lazy) {
            putOn(type, minSeq[type] + 1, pfn, b & ~(REFS_MASK | REFERENCED)); // folio_inc_gen()
            if (!lazy) {
                protectedPages[type][tier]++;
            }
            return true;
        }
        // isolate_folio(): the refs count only with PG_referenced
        if ((b & REFERENCED) == 0) {
            b &= ~REFS_MASK;
        }
        lists.setBits(pfn, b & ~GEN_MASK);
        sc.scanned(1); // pgscan counts isolated pages
        // lru_gen_folio_check_references(): folio_referenced(), looking around each young PTE
        if (sc.lookAround(pfn, promote)) {
            if ((b & (REFERENCED | WORKINGSET)) == 0) {
                putBack(type, pfn, (b & ~REFS_MASK) | REFERENCED, false); // FOLIOREF_KEEP
            } else {
                events.count(PolicyEvents.Event.PGACTIVATE); // FOLIOREF_ACTIVATE
                putBack(type, pfn, (b & ~(REFS_MASK | REFERENCED)) | WORKINGSET, true);
            }
            return true;
        }
        if (!sc.reclaim(pfn)) {
            putBack(type, pfn, b, false);
            return true;
        }
        lists.setBits(pfn, 0);
        return true;
    }

    @Override
    public void shrink(ScanControl sc) {
        int swappiness = sc.mayReclaimAnon() ? sc.swappiness() : 0; // get_swappiness()
        long budget = 8L * size() + 64;
        while (sc.nrToReclaim() > 0 && budget-- > 0 && evictablePages(swappiness) > 0) {
            if (evictableMinSeq(swappiness) + MIN_NR_GENS > maxSeq) {
                age(sc, swappiness); // should_run_aging(): eviction is not possible any more
                continue;
            }
            // isolate_folios(): the chosen type first, then the other evictable one
            int type = typeToScan(swappiness);
            boolean scanned = scanOne(sc, type);
            if (!scanned && swappiness != 0) {
                scanned = scanOne(sc, 1 - type);
            }
            boolean retired = tryToIncMinSeq(swappiness);
            if (!scanned && !retired) {
                age(sc, swappiness);
            }
        }
    }

    @Override
    public int size() {
        int n = 0;
        for (int[] type : gens) {
            for (int g : type) {
                n += lists.size(g);
            }
        }
        return n;
    }

    @Override
    public void verifyInvariants() {
        for (int type = 0; type < 2; type++) {
            if (nrGens(type) < MIN_NR_GENS || nrGens(type) > MAX_NR_GENS) {
                throw new IllegalStateException("mglru: " + nrGens(type) + " generations of type " + type + " (min_seq "
                        + minSeq[type] + ", max_seq " + maxSeq + ")");
            }
            for (int i = 0; i < MAX_NR_GENS; i++) {
                final int slot = i;
                final int anon = type == LRU_GEN_ANON ? ANON : 0;
                Lists.verify(lists, gens[type][i], "mglru type " + type + " gen slot " + i,
                        pfn -> (lists.bits(pfn) & (GEN_MASK | ANON)) == (slot + 1 | anon));
                long seq = minSeq[type] + ((i - slot(minSeq[type]) + MAX_NR_GENS) % MAX_NR_GENS);
                if (seq > maxSeq && lists.size(gens[type][i]) != 0) {
                    throw new IllegalStateException("mglru: slot " + i + " of type " + type
                            + " is outside min_seq..max_seq but holds pages");
                }
            }
        }
    }
}
