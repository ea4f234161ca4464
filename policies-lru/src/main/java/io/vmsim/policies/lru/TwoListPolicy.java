package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.PolicyEvents;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * Linux's active/inactive page lists without multi-gen LRU, as in Linux 6.18 ({@code mm/vmscan.c},
 * {@code mm/workingset.c}, {@code mm/swap.c}; the refault rule is the one of v5.9 and later), for
 * one LRU domain: the four evictable lists of a {@code struct lruvec} ({@code LRU_INACTIVE_ANON},
 * {@code LRU_ACTIVE_ANON}, {@code LRU_INACTIVE_FILE}, {@code LRU_ACTIVE_FILE}).
 *
 * <ul>
 * <li>A new page enters the inactive list of its type; a refaulting page enters the active list
 * when {@code workingset_test_recent()} finds its refault distance within the workingset: the
 * active file list, plus the inactive file list for an anonymous refault, plus the active anon
 * list (and, for a file refault, the inactive anon list) when swap is available.</li>
 * <li>{@code folio_mark_accessed()} ({@code mm/swap.c}): a use through a system call sets
 * PG_referenced; a second one activates an inactive page and clears PG_referenced.</li>
 * <li>{@code shrink_lruvec()}: {@code get_scan_count()} sets how many pages of each list one
 * pass at {@link ScanControl#priority()} scans (list size &gt;&gt; priority): file only without
 * swap or in {@code cache_trim_mode} (inactive file plentiful and not thrashing), both lists
 * equally at priority 0, anonymous only when the file cache is tiny, and otherwise in the
 * proportion of {@code vm.swappiness} against {@code anon_cost}/{@code file_cost}, which
 * {@code lru_note_cost()} accumulates from rotations, pageouts and workingset refaults. The lists
 * are scanned in batches of {@value #SWAP_CLUSTER_MAX}, inactive anon, active anon, inactive file,
 * active file.</li>
 * <li>{@code shrink_inactive_list()} asks {@code folio_check_references()} of each page: found
 * young, it gets PG_referenced and another trip around the inactive list, or is activated if it
 * had PG_referenced already (PG_referenced stays set on the activated page); not young, it loses
 * PG_referenced and is reclaimed.</li>
 * <li>{@code shrink_active_list()} deactivates from the active tail when the type's inactive
 * list is low ({@code inactive_is_low()}: inactive x {@code int_sqrt(10 x GiB)} below active,
 * ratio 1 under 1 GiB, for each type on its own) or its refaults were activated since the last
 * reclaim; the accessed bits are cleared, PG_referenced is left as it was, PG_workingset is set.
 * The anon active list is aged after each pass whenever its inactive list is low.</li>
 * <li>{@code nonresident_age} advances on every eviction (after the shadow records it) and
 * every activation; the shadow holds that age, PG_workingset and the page type.</li>
 *
 * <li>For the kernel's reclaim ({@link ScanControl#wholeBatches()}; a fixed-size cache such as
 * {@code vmsim mrc} stops at the page it asked for) {@code shrink_lruvec()} goes round the lists taking at most {@value #SWAP_CLUSTER_MAX}
 * pages of each a round; {@code shrink_inactive_list()} deals with every page of its batch, and
 * only between rounds is the pages reclaimed compared with {@link ScanControl#nrToReclaim()}:
 * global direct reclaim at {@code DEF_PRIORITY} scans its whole count, kswapd and a memory
 * cgroup's reclaim, once they have the pages, stop scanning the type with less left to scan and
 * scan the other only down to the share of its count that the first had left
 * ({@code proportional_reclaim}, Linux 6.18).</li>
 * <li>A page the core refuses into {@code activate_locked} ({@link ScanControl#activateRefused}:
 * dirty file pages and pages under writeback, which reclaim marked PG_reclaim) goes to the head
 * of its active list and counts {@code pgactivate}; when the write completes,
 * {@code folio_rotate_reclaimable()} moves it to the tail of its inactive list
 * ({@link #pageRotated}).</li>
 * </ul>
 *
 * <p>Simplifications: a page mapped by
 * several young PTEs counts as one reference (the kernel activates it at once); no
 * {@code VM_EXEC} protection, so the active lists rotate nothing; a reclaimed anonymous page
 * counts as one pageout and a file page as none (dirty file pages are refused by the core);
 * {@code file_is_tiny} is not visible to a policy: with {@code vm.swappiness} 0 the core allows
 * anonymous reclaim only when the file cache is tiny, so that is read as the tiny case, and with
 * swappiness above 0 it is never assumed. Whether swap is available for the refault rule is what
 * the last {@link ScanControl#mayReclaimAnon()} said. At priority 0, the caller's last attempt,
 * a pass that did not reclaim enough is repeated (at most {@value #PRIORITY_ZERO_PASSES} passes),
 * with forced deactivation when deactivation was skipped, as {@code do_try_to_free_pages()}
 * retries with {@code force_deactivate} and the allocator retries reclaim.
 */
public final class TwoListPolicy implements ReclaimPolicy {
    /** {@code enum lru_list}, evictable lists only. */
    static final int LRU_INACTIVE_ANON = 0;
    static final int LRU_ACTIVE_ANON = 1;
    static final int LRU_INACTIVE_FILE = 2;
    static final int LRU_ACTIVE_FILE = 3;

    private static final int ON_LRU = 1; // PG_lru
    private static final int ACTIVE = 2; // PG_active
    private static final int REFERENCED = 4; // PG_referenced
    private static final int WORKINGSET = 8; // PG_workingset
    private static final int ANON = 16; // !folio_is_file_lru()
    private static final int ACTIVATE_ON_ADD = 32; // folio_set_active() by workingset_refault() before folio_add_lru()
    static final int SWAP_CLUSTER_MAX = 32;
    private static final int PAGES_PER_GB_SHIFT = 18; // 30 - PAGE_SHIFT
    private static final int PRIORITY_ZERO_PASSES = 4;
    /** {@code DEF_PRIORITY}. */
    private static final int DEF_PRIORITY = 12;

    private static final int SCAN_EQUAL = 0;
    private static final int SCAN_FRACT = 1;
    private static final int SCAN_ANON = 2;
    private static final int SCAN_FILE = 3;

    private final PageLists lists;
    private final int[] lru = new int[4];
    /** The pages {@code isolate_lru_folios()} took for the current batch of {@code shrink_inactive_list()}. */
    private final int[] isolatedBatch = new int[SWAP_CLUSTER_MAX];
    /** The pages of the current batch that go back to the LRU when it is done ({@code move_folios_to_lru()}). */
    private final int[] keptBatch = new int[SWAP_CLUSTER_MAX];
    private int keptCount;
    private final PolicyEvents events;

    private long nonresidentAge;
    /** {@code lruvec->anon_cost}, {@code lruvec->file_cost}. */
    private long anonCost;
    private long fileCost;
    /** {@code WORKINGSET_ACTIVATE_ANON/FILE} of this domain, and their snapshot ({@code lruvec->refaults[]}). */
    private final long[] workingsetActivate = new long[2];
    private final long[] refaultsSnapshot = new long[2];
    private boolean swapAvailable;
    private long activations;

    // per pass (struct scan_control), reused so that reclaim allocates nothing
    private final long[] nr = new long[4];
    /** {@code targets[]} of {@code shrink_lruvec()}: the counts {@link #getScanCount} set. */
    private final long[] targets = new long[4];
    private boolean mayDeactivateAnon;
    private boolean mayDeactivateFile;
    private boolean skippedDeactivate;
    private long moved;

    /** Empty lists threaded through the frames' links. */
    public TwoListPolicy(PageLists lists) {
        this(lists, PolicyEvents.NONE);
    }

    /** Empty lists threaded through the frames' links, counting activations in {@code events}. */
    public TwoListPolicy(PageLists lists, PolicyEvents events) {
        this.lists = lists;
        this.events = events;
        for (int i = 0; i < lru.length; i++) {
            lru[i] = lists.newList();
        }
    }

    // ---------------------------------------------------------------- views for tests

    int inactiveSize() {
        return lists.size(lru[LRU_INACTIVE_ANON]) + lists.size(lru[LRU_INACTIVE_FILE]);
    }

    int activeSize() {
        return lists.size(lru[LRU_ACTIVE_ANON]) + lists.size(lru[LRU_ACTIVE_FILE]);
    }

    /** Pages on one list ({@link #LRU_INACTIVE_ANON} ... {@link #LRU_ACTIVE_FILE}). */
    int listSize(int list) {
        return lists.size(lru[list]);
    }

    /** The list the page is on, or -1. */
    int listOf(int pfn) {
        int b = lists.bits(pfn);
        return (b & ON_LRU) == 0 ? -1 : lruIndex(b);
    }

    boolean isActive(int pfn) {
        return (lists.bits(pfn) & (ON_LRU | ACTIVE)) == (ON_LRU | ACTIVE);
    }

    boolean isReferenced(int pfn) {
        return (lists.bits(pfn) & REFERENCED) != 0;
    }

    boolean isWorkingset(int pfn) {
        return (lists.bits(pfn) & WORKINGSET) != 0;
    }

    long anonCost() {
        return anonCost;
    }

    long fileCost() {
        return fileCost;
    }

    /** Refaults that were activated ({@code workingset_activate_anon + workingset_activate_file}). */
    long workingsetActivations() {
        return workingsetActivate[0] + workingsetActivate[1];
    }

    private static int lruIndex(int bits) {
        return ((bits & ANON) != 0 ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE) + ((bits & ACTIVE) != 0 ? 1 : 0);
    }

    private int lruSize(int list) {
        return lists.size(lru[list]);
    }

    @Override
    public long activePages(boolean anon) {
        return lruSize(anon ? LRU_ACTIVE_ANON : LRU_ACTIVE_FILE);
    }

    // ---------------------------------------------------------------- the page's life

    @Override
    public boolean observesMarkAccessed() {
        return true;
    }

    /**
     * {@code folio_mark_accessed()} ({@code mm/swap.c}): the first use through a system call sets
     * PG_referenced; the second activates an inactive page, clears PG_referenced and ages the
     * non-resident clock ({@code workingset_activation()}). An active page keeps PG_referenced.
     */
    @Override
    public void pageMarkedAccessed(int pfn) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) == 0) {
            return;
        }
        if ((b & REFERENCED) == 0) {
            lists.setBits(pfn, b | REFERENCED);
        } else if ((b & ACTIVE) == 0) {
            lists.remove(lru[lruIndex(b)], pfn);
            b = (b & ~REFERENCED) | ACTIVE;
            lists.addHead(lru[lruIndex(b)], pfn);
            lists.setBits(pfn, b);
            nonresidentAge++;
            activations++;
            events.count(PolicyEvents.Event.PGACTIVATE);
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) != 0) {
            return;
        }
        int nb = ON_LRU | (b & WORKINGSET) | (anon ? ANON : 0);
        if ((b & ACTIVATE_ON_ADD) != 0) {
            nb |= ACTIVE;
        } else if (!anon) {
            // The reference that brought a file page in is filemap_read()'s folio_mark_accessed():
            // the first of the two steps (a mapped fault leaves a young PTE instead, which the
            // first scan sees).
            nb |= REFERENCED;
        }
        lists.addHead(lru[lruIndex(nb)], pfn);
        lists.setBits(pfn, nb);
    }

    /**
     * A whole-page {@code write()} miss: inactive and without PG_referenced, as
     * {@code generic_perform_write()} leaves it (no {@code folio_mark_accessed()}; recorded in
     * conformance/flags/pagecache-marks.json); a refault is activated as in {@link #pageAdded}. Its
     * next use through a system call sets PG_referenced; the one after activates it.
     */
    @Override
    public void pageAddedByWrite(int pfn) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) != 0) {
            return;
        }
        int nb = ON_LRU | (b & WORKINGSET);
        if ((b & ACTIVATE_ON_ADD) != 0) {
            nb |= ACTIVE; // a refault workingset_refault() activated, as for pageAdded
        }
        lists.addHead(lru[lruIndex(nb)], pfn);
        lists.setBits(pfn, nb);
    }

    /** A readahead page, or a page of a split or collapse: inactive, not referenced (as Linux adds it). */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) != 0) {
            return;
        }
        int nb = ON_LRU | (b & WORKINGSET) | (anon ? ANON : 0);
        lists.addHead(lru[lruIndex(nb)], pfn);
        lists.setBits(pfn, nb);
    }

    @Override
    public void pageRemoved(int pfn) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) != 0) {
            lists.remove(lru[lruIndex(b)], pfn);
        }
        lists.setBits(pfn, 0);
    }

    /**
     * {@code MADV_COLD}: as {@code madvise_cold_or_pageout_pte_range()} and
     * {@code lru_deactivate()} (Linux 6.18): PG_referenced is cleared, and an active page is marked
     * PG_workingset and moved to the head of its type's inactive list ({@code pgdeactivate}).
     */
    @Override
    public void pageDeactivated(int pfn) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) == 0) {
            return;
        }
        if ((b & ACTIVE) != 0) {
            lists.remove(lru[lruIndex(b)], pfn);
            int nb = (b & ~(ACTIVE | REFERENCED)) | WORKINGSET;
            lists.setBits(pfn, nb);
            lists.addHead(lru[lruIndex(nb)], pfn);
            events.count(PolicyEvents.Event.PGDEACTIVATE);
        } else {
            lists.setBits(pfn, b & ~REFERENCED);
        }
    }

    /**
     * {@code folio_rotate_reclaimable()} ({@code mm/swap.c}, Linux 6.18): a page marked
     * PG_reclaim whose write completed moves to the tail of its inactive list, from the active
     * list too: {@code lru_move_tail()} clears PG_active (conformance/writeback: nearly every page
     * a group's reclaim activated under writeback was rotated, and the active file list stayed
     * near empty). The core counts {@code pgrotated}.
     */
    @Override
    public boolean pageRotated(int pfn) {
        int b = lists.bits(pfn);
        if ((b & ON_LRU) == 0) {
            return false;
        }
        lists.remove(lru[lruIndex(b)], pfn);
        b &= ~ACTIVE;
        lists.addTail(lru[lruIndex(b)], pfn);
        lists.setBits(pfn, b);
        return true;
    }

    /** {@code workingset_eviction()}: the shadow records the age, then the age advances. */
    @Override
    public long pageEvicted(int pfn) {
        int b = lists.bits(pfn);
        long eviction = nonresidentAge;
        nonresidentAge++;
        return eviction << 2 | ((b & ANON) != 0 ? 2 : 0) | ((b & WORKINGSET) != 0 ? 1 : 0);
    }

    /**
     * {@code workingset_refault()} and {@code workingset_test_recent()} ({@code mm/workingset.c},
     * Linux 5.9 and later): activate when the refault distance is within the workingset size.
     */
    @Override
    public void pageRefaulted(int pfn, long shadow) {
        long eviction = shadow >>> 2;
        boolean anon = (shadow & 2) != 0;
        boolean workingset = (shadow & 1) != 0;
        long distance = nonresidentAge - eviction;
        long workingsetSize = lruSize(LRU_ACTIVE_FILE);
        if (anon) {
            workingsetSize += lruSize(LRU_INACTIVE_FILE);
        }
        if (swapAvailable) {
            workingsetSize += lruSize(LRU_ACTIVE_ANON);
            if (!anon) {
                workingsetSize += lruSize(LRU_INACTIVE_ANON);
            }
        }
        if (distance > workingsetSize) {
            return;
        }
        nonresidentAge++; // workingset_age_nonresident()
        workingsetActivate[anon ? 0 : 1]++;
        events.count(anon ? PolicyEvents.Event.WORKINGSET_ACTIVATE_ANON : PolicyEvents.Event.WORKINGSET_ACTIVATE_FILE);
        int b = lists.bits(pfn);
        int set = workingset ? WORKINGSET : 0;
        if (workingset) {
            lruNoteCost(!anon, 1, 0); // lru_note_cost_refault()
            events.count(anon ? PolicyEvents.Event.WORKINGSET_RESTORE_ANON : PolicyEvents.Event.WORKINGSET_RESTORE_FILE);
        }
        if ((b & ON_LRU) == 0) {
            lists.setBits(pfn, b | ACTIVATE_ON_ADD | set);
        } else if ((b & ACTIVE) == 0) {
            lists.remove(lru[lruIndex(b)], pfn);
            b |= ACTIVE | set;
            lists.addHead(lru[lruIndex(b)], pfn);
            lists.setBits(pfn, b);
        }
    }

    // ---------------------------------------------------------------- reclaim

    /**
     * {@code lru_note_cost()} ({@code mm/swap.c}): IO counts {@value #SWAP_CLUSTER_MAX} times a
     * rotation; both costs halve once they exceed a quarter of the lists, a floating average.
     */
    private void lruNoteCost(boolean file, long nrIo, long nrRotated) {
        long cost = nrIo * SWAP_CLUSTER_MAX + nrRotated;
        if (file) {
            fileCost += cost;
        } else {
            anonCost += cost;
        }
        long lrusize = (long) size();
        if (fileCost + anonCost > lrusize / 4) {
            fileCost /= 2;
            anonCost /= 2;
        }
    }

    /** {@code inactive_is_low()} for one type: the target inactive:active ratio grows as sqrt of the type's GiB. */
    boolean inactiveIsLow(int inactiveLru) {
        long inactive = lruSize(inactiveLru);
        long active = lruSize(inactiveLru + 1);
        long gb = (inactive + active) >> PAGES_PER_GB_SHIFT;
        long ratio = gb != 0 ? intSqrt(10 * gb) : 1;
        return inactive * ratio < active;
    }

    private static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }

    @Override
    public void shrink(ScanControl sc) {
        swapAvailable = sc.mayReclaimAnon();
        int priority = sc.priority();
        boolean force = false;
        for (int pass = 1; ; pass++) {
            moved = 0;
            skippedDeactivate = false;
            shrinkLruvec(sc, priority, force);
            if (sc.nrToReclaim() == 0 || priority > 0 || pass == PRIORITY_ZERO_PASSES
                    || (moved == 0 && !skippedDeactivate)) {
                break;
            }
            force |= skippedDeactivate;
        }
        if (sc.nrToReclaim() == 0 || priority == 0) {
            // snapshot_refaults() at the end of a reclaim invocation
            refaultsSnapshot[0] = workingsetActivate[0];
            refaultsSnapshot[1] = workingsetActivate[1];
        }
    }

    /**
     * {@code prepare_scan_count()} and {@code get_scan_count()}: fills {@link #nr} with the pages
     * of each list to scan at {@code priority}. Returns the scan balance.
     */
    int getScanCount(ScanControl sc, int priority, boolean force) {
        mayDeactivateAnon = force || workingsetActivate[0] != refaultsSnapshot[0] || inactiveIsLow(LRU_INACTIVE_ANON);
        mayDeactivateFile = force || workingsetActivate[1] != refaultsSnapshot[1] || inactiveIsLow(LRU_INACTIVE_FILE);
        boolean cacheTrimMode = (lruSize(LRU_INACTIVE_FILE) >> priority) != 0 && !mayDeactivateFile;
        int swappiness = sc.swappiness();
        int balance;
        long ap = 0;
        long fp = 0;
        if (!sc.mayReclaimAnon()) {
            balance = SCAN_FILE; // no swap: do not bother scanning anon
        } else if (priority == 0 && swappiness != 0) {
            balance = SCAN_EQUAL;
        } else if (swappiness == 0 && !mayDeactivateAnon && (lruSize(LRU_INACTIVE_ANON) >> priority) != 0) {
            balance = SCAN_ANON; // file_is_tiny (see the class comment)
        } else if (cacheTrimMode) {
            balance = SCAN_FILE;
        } else {
            balance = SCAN_FRACT;
            // At least a third of the pressure on each type, before swappiness; 100 = equal IO cost.
            long total = anonCost + fileCost;
            long anon = total + anonCost;
            long file = total + fileCost;
            total = anon + file;
            ap = swappiness * (total + 1) / (anon + 1);
            fp = (200L - swappiness) * (total + 1) / (file + 1);
        }
        for (int list = 0; list < 4; list++) {
            boolean file = list >= LRU_INACTIVE_FILE;
            long scan = lruSize(list) >> priority;
            switch (balance) {
                case SCAN_FRACT -> scan = scan * (file ? fp : ap) / (ap + fp);
                case SCAN_FILE -> scan = file ? scan : 0;
                case SCAN_ANON -> scan = file ? 0 : scan;
                default -> { }
            }
            nr[list] = scan;
        }
        return balance;
    }

    /** Pages {@link #getScanCount} set for {@code list}. */
    long scanCount(int list) {
        return nr[list];
    }

    /**
     * {@code shrink_lruvec()} ({@code mm/vmscan.c}, Linux 6.18): one pass at {@code priority}.
     * Each round takes up to {@value #SWAP_CLUSTER_MAX} pages of every list with pages left to
     * scan, and every page taken is dealt with; the pages reclaimed are compared with the request
     * only after a round. Global direct reclaim at {@code DEF_PRIORITY} ({@code proportional_reclaim}
     * from the start) scans its whole count. Otherwise, once the request is met, the type (anon or
     * file) with less left to scan stops, and the other is scanned only down to the fraction of
     * its target that the stopped one had left; with one type only the pass ends.
     */
    private void shrinkLruvec(ScanControl sc, int priority, boolean force) {
        getScanCount(sc, priority, force);
        for (int list = 0; list < 4; list++) {
            targets[list] = nr[list];
        }
        long nrToReclaim = sc.nrToReclaim();
        long nrReclaimed = 0;
        boolean proportionalReclaim = !sc.isCgroupReclaim() && !sc.isKswapd() && priority == DEF_PRIORITY;
        boolean whole = sc.wholeBatches();
        while ((nr[LRU_INACTIVE_ANON] | nr[LRU_ACTIVE_FILE] | nr[LRU_INACTIVE_FILE]) != 0 && (whole || sc.nrToReclaim() > 0)) {
            for (int list = 0; list < 4; list++) {
                if (nr[list] > 0) {
                    int n = (int) Math.min(nr[list], SWAP_CLUSTER_MAX);
                    nr[list] -= n;
                    nrReclaimed += shrinkList(sc, list, n);
                }
            }
            if (!whole || nrReclaimed < nrToReclaim || proportionalReclaim) {
                continue;
            }
            long nrFile = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE];
            long nrAnon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON];
            if (nrFile == 0 || nrAnon == 0) {
                break;
            }
            int stop;
            long percentage;
            if (nrFile > nrAnon) {
                percentage = nrAnon * 100 / (targets[LRU_INACTIVE_ANON] + targets[LRU_ACTIVE_ANON] + 1);
                stop = LRU_INACTIVE_ANON;
            } else {
                percentage = nrFile * 100 / (targets[LRU_INACTIVE_FILE] + targets[LRU_ACTIVE_FILE] + 1);
                stop = LRU_INACTIVE_FILE;
            }
            nr[stop] = 0;
            nr[stop + 1] = 0;
            int other = stop == LRU_INACTIVE_FILE ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
            for (int list = other; list <= other + 1; list++) {
                long scanned = targets[list] - nr[list];
                nr[list] = targets[list] * (100 - percentage) / 100;
                nr[list] -= Math.min(nr[list], scanned);
            }
            proportionalReclaim = true;
        }
        // Even if no anon page was to be evicted, rebalance the anon active/inactive ratio.
        if (sc.mayReclaimAnon() && inactiveIsLow(LRU_INACTIVE_ANON)) {
            shrinkActiveList(sc, SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON);
        }
    }

    /** {@code shrink_list()}: returns the pages reclaimed. */
    private long shrinkList(ScanControl sc, int list, int n) {
        if ((list & 1) != 0) {
            if (list == LRU_ACTIVE_FILE ? mayDeactivateFile : mayDeactivateAnon) {
                shrinkActiveList(sc, n, list);
            } else {
                skippedDeactivate = true;
            }
            return 0;
        }
        return shrinkInactiveList(sc, n, list);
    }

    /**
     * {@code shrink_active_list()}: move pages from the active tail to the inactive head,
     * clearing their accessed bits ({@code folio_referenced()}); PG_referenced is left alone and
     * PG_workingset set.
     */
    private void shrinkActiveList(ScanControl sc, int n, int activeLru) {
        int inactiveLru = activeLru - 1;
        for (int i = 0; i < n && lruSize(activeLru) > 0; i++) {
            int pfn = lists.tail(lru[activeLru]);
            lists.remove(lru[activeLru], pfn);
            sc.testAndClearYoung(pfn); // only a VM_EXEC file page would be kept; none is
            lists.addHead(lru[inactiveLru], pfn);
            lists.setBits(pfn, (lists.bits(pfn) & ~ACTIVE) | WORKINGSET);
            events.count(PolicyEvents.Event.PGDEACTIVATE);
            moved++;
        }
    }

    /**
     * {@code shrink_inactive_list()} with {@code folio_check_references()} for each page: every
     * one of the {@code n} pages taken from the tail is dealt with, whatever has been reclaimed
     * meanwhile ({@code shrink_folio_list()} goes through its whole list), unless the caller takes
     * exactly what it asked ({@link ScanControl#wholeBatches()} false). Returns the pages reclaimed.
     *
     * <p>With whole batches the batch is taken off the list before any page of it is looked at, as
     * {@code isolate_lru_folios()} does (mm/vmscan.c, Linux 6.18: PG_lru cleared, the folios moved
     * to a private list under the LRU lock), and the pages kept go back to the heads of their
     * lists only when the batch is done ({@code move_folios_to_lru()}). So a page that the
     * completion of a swap or file write rotates to the inactive tail while the batch is being
     * dealt with ({@code folio_rotate_reclaimable()}) waits for the next batch, and a page of the
     * batch is not rotated: {@link #pageRotated} refuses it, as {@code folio_batch_move_lru()}
     * skips a folio whose PG_lru it cannot clear (mm/swap.c). The page in hand is marked on the
     * LRU while the core deals with it, as in the one-page-at-a-time path. The core is told which
     * pages are off the LRU ({@link ScanControl#isolate}, {@link ScanControl#putBack}), so that a
     * swap write of one of them completing meanwhile does not put it into the rotate batch
     * ({@code folio_rotate_reclaimable()} skips a folio without PG_lru), where the pass that holds
     * it could not free it.
     */
    private long shrinkInactiveList(ScanControl sc, int n, int inactiveLru) {
        long scanned = 0;
        long reclaimed = 0;
        long pageout = 0;
        boolean whole = sc.wholeBatches();
        int taken = 0;
        if (whole) {
            // isolate_lru_folios(): the whole batch leaves the list (PG_lru cleared) before
            // shrink_folio_list() looks at any page of it
            while (taken < n && lruSize(inactiveLru) > 0) {
                int pfn = lists.tail(lru[inactiveLru]);
                lists.remove(lru[inactiveLru], pfn);
                lists.setBits(pfn, lists.bits(pfn) & ~ON_LRU);
                sc.isolate(pfn);
                isolatedBatch[taken++] = pfn;
            }
            keptCount = 0;
        }
        for (int i = 0; whole ? i < taken : i < n && lruSize(inactiveLru) > 0 && sc.nrToReclaim() > 0; i++) {
            int pfn;
            if (whole) {
                pfn = isolatedBatch[i];
                lists.setBits(pfn, lists.bits(pfn) | ON_LRU);
                sc.putBack(pfn); // in hand
            } else {
                pfn = lists.tail(lru[inactiveLru]);
                lists.remove(lru[inactiveLru], pfn);
            }
            sc.scanned(1);
            scanned++;
            moved++;
            int b = lists.bits(pfn);
            boolean referencedFolio = (b & REFERENCED) != 0;
            if (sc.testAndClearYoung(pfn)) {
                // Marked either way, activated too, so that a recently deactivated but used page is quickly recovered.
                b |= REFERENCED;
                if (referencedFolio) {
                    b |= ACTIVE;
                    nonresidentAge++; // move_folios_to_lru(): workingset_age_nonresident()
                    activations++;
                    events.count(PolicyEvents.Event.PGACTIVATE);
                }
                putBack(sc, whole, pfn, b);
                continue;
            }
            lists.setBits(pfn, b & ~REFERENCED);
            if (sc.reclaim(pfn)) {
                lists.setBits(pfn, 0);
                reclaimed++;
                if ((b & ANON) != 0) {
                    pageout++;
                }
            } else if (sc.activateRefused(pfn)) {
                // activate_locked: folio_set_active(); move_folios_to_lru() ages the workingset
                b = (b & ~REFERENCED) | ACTIVE;
                putBack(sc, whole, pfn, b);
                nonresidentAge++;
                activations++;
                events.count(PolicyEvents.Event.PGACTIVATE);
            } else {
                putBack(sc, whole, pfn, lists.bits(pfn));
            }
        }
        if (whole) {
            // move_folios_to_lru(): the pages kept go back to the heads of their lists, in order
            for (int i = 0; i < keptCount; i++) {
                int pfn = keptBatch[i];
                int b = lists.bits(pfn);
                lists.addHead(lru[lruIndex(b)], pfn);
                lists.setBits(pfn, b | ON_LRU);
                sc.putBack(pfn);
            }
            keptCount = 0;
        }
        if (scanned > 0) {
            lruNoteCost(inactiveLru == LRU_INACTIVE_FILE, pageout, scanned - reclaimed);
        }
        return reclaimed;
    }

    /**
     * A page of the batch that stays on the LRU, with page bits {@code b}: to the head of its list
     * now, or, for a whole batch, kept off the list (PG_lru clear) until the batch is done.
     */
    private void putBack(ScanControl sc, boolean whole, int pfn, int b) {
        if (!whole) {
            lists.addHead(lru[lruIndex(b)], pfn);
            lists.setBits(pfn, b);
            return;
        }
        lists.setBits(pfn, b & ~ON_LRU);
        sc.isolate(pfn);
        keptBatch[keptCount++] = pfn;
    }

    @Override
    public int size() {
        return lruSize(LRU_INACTIVE_ANON) + lruSize(LRU_ACTIVE_ANON) + lruSize(LRU_INACTIVE_FILE) + lruSize(LRU_ACTIVE_FILE);
    }

    @Override
    public void verifyInvariants() {
        String[] names = {"inactive_anon", "active_anon", "inactive_file", "active_file"};
        for (int list = 0; list < 4; list++) {
            int l = list;
            Lists.verify(lists, lru[list], "linux-2list " + names[list],
                    pfn -> (lists.bits(pfn) & ON_LRU) != 0 && lruIndex(lists.bits(pfn)) == l);
        }
        if (activations < 0 || nonresidentAge < 0 || anonCost < 0 || fileCost < 0) {
            throw new IllegalStateException("linux-2list: counters wrapped");
        }
    }
}
