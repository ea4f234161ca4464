package io.vmsim.policies.lru;

import io.vmsim.api.machine.PageLists;
import io.vmsim.api.policy.PolicyEvents;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;

/**
 * Linux's active/inactive page lists as before multi-gen LRU ({@code mm/vmscan.c},
 * {@code mm/workingset.c}, v5.9 to v6.0), for one LRU domain.
 *
 * <ul>
 * <li>A new page enters the inactive list; a refaulting page whose refault distance is at most
 * the active list's size enters the active list ({@code workingset_refault()}).</li>
 * <li>Reclaim takes pages from the inactive tail and asks {@code folio_check_references()}: a
 * page with young PTEs is marked referenced and rotated on first sight, activated if it is
 * found young again (or was already referenced); a page without young PTEs is reclaimed.</li>
 * <li>When the inactive list is low ({@code inactive_is_low()}: inactive x
 * {@code int_sqrt(10 x GiB)} below active, ratio 1 under 1 GiB) or a refault was activated
 * since the last reclaim, pages are deactivated from the active tail; their accessed bits are
 * cleared on the way ({@code shrink_active_list()}).</li>
 * <li>{@code nonresident_age} advances on every eviction and activation; the shadow of an
 * evicted page is that age and its {@code PG_workingset} bit, and the refault distance is the
 * age now minus the age then.</li>
 * </ul>
 *
 * <p>Simplifications: one pair of lists for anonymous and file pages (anonymous pages are
 * skipped when they may not be reclaimed, so swappiness balances nothing), no
 * {@code VM_EXEC} protection, no dirty or writeback handling, and at most 32 pages
 * ({@code SWAP_CLUSTER_MAX}) deactivated per call.
 */
public final class TwoListPolicy implements ReclaimPolicy {
    private static final int INACTIVE = 1;
    private static final int ACTIVE = 2;
    private static final int WHERE = 3;
    private static final int REFERENCED = 4; // PG_referenced
    private static final int WORKINGSET = 8; // PG_workingset
    private static final int ANON = 16;
    private static final int ACTIVATE_ON_ADD = 32; // set by pageRefaulted before pageAdded
    private static final int SWAP_CLUSTER_MAX = 32;
    private static final int PAGES_PER_GB = 1 << 18;

    private final PageLists lists;
    private final int inactive;
    private final int active;
    private long nonresidentAge;
    private boolean refaultActivated;
    private long activations;
    private long workingsetRefaults;

    private final PolicyEvents events;

    /** Empty lists threaded through the frames' links. */
    public TwoListPolicy(PageLists lists) {
        this(lists, PolicyEvents.NONE);
    }

    /** Empty lists threaded through the frames' links, counting activations in {@code events}. */
    public TwoListPolicy(PageLists lists, PolicyEvents events) {
        this.lists = lists;
        this.events = events;
        this.inactive = lists.newList();
        this.active = lists.newList();
    }

    int inactiveSize() {
        return lists.size(inactive);
    }

    int activeSize() {
        return lists.size(active);
    }

    boolean isActive(int pfn) {
        return (lists.bits(pfn) & WHERE) == ACTIVE;
    }

    /** Refaults that were activated ({@code workingset_activate}). */
    long workingsetActivations() {
        return workingsetRefaults;
    }

    @Override
    public boolean observesMarkAccessed() {
        return true;
    }

    /**
     * {@code folio_mark_accessed()} ({@code mm/swap.c}): the first use through a system call
     * sets PG_referenced, the second activates an inactive page (and ages the non-resident
     * clock, as {@code workingset_activation()} does). A use-once stream page is read once and
     * so stays inactive; a hot page read twice is protected.
     */
    @Override
    public void pageMarkedAccessed(int pfn) {
        int b = lists.bits(pfn);
        if ((b & WHERE) == 0) {
            return;
        }
        if ((b & REFERENCED) == 0) {
            lists.setBits(pfn, b | REFERENCED);
        } else if ((b & WHERE) == INACTIVE) {
            lists.remove(inactive, pfn);
            lists.addHead(active, pfn);
            lists.setBits(pfn, (b & ~(WHERE | REFERENCED)) | ACTIVE);
            nonresidentAge++;
            activations++;
            events.count(PolicyEvents.Event.PGACTIVATE);
        }
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        int b = lists.bits(pfn);
        if ((b & WHERE) != 0) {
            return;
        }
        int keep = (b & WORKINGSET) | (anon ? ANON : 0);
        if ((b & ACTIVATE_ON_ADD) != 0) {
            lists.addHead(active, pfn);
            lists.setBits(pfn, ACTIVE | keep);
        } else {
            // The reference that brought a file page in is filemap_read()'s folio_mark_accessed():
            // the first of the two steps (a mapped fault leaves a young PTE instead, which the
            // first scan sees).
            lists.addHead(inactive, pfn);
            lists.setBits(pfn, INACTIVE | keep | (anon ? 0 : REFERENCED));
        }
    }

    /** A readahead page, or a page of a split or collapse: inactive, not referenced (as Linux adds it). */
    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        int b = lists.bits(pfn);
        if ((b & WHERE) != 0) {
            return;
        }
        lists.addHead(inactive, pfn);
        lists.setBits(pfn, INACTIVE | (b & WORKINGSET) | (anon ? ANON : 0));
    }

    @Override
    public void pageRemoved(int pfn) {
        int w = lists.bits(pfn) & WHERE;
        if (w != 0) {
            lists.remove(w == ACTIVE ? active : inactive, pfn);
        }
        lists.setBits(pfn, 0);
    }

    /**
     * {@code MADV_COLD}: as {@code madvise_cold_or_pageout_pte_range()} and
     * {@code lru_deactivate()} (Linux 6.18): PG_referenced is cleared, and an active page is marked
     * PG_workingset and moved to the head of the inactive list ({@code pgdeactivate}).
     */
    @Override
    public void pageDeactivated(int pfn) {
        int b = lists.bits(pfn);
        if ((b & WHERE) == ACTIVE) {
            lists.remove(active, pfn);
            lists.addHead(inactive, pfn);
            lists.setBits(pfn, (b & ~(WHERE | REFERENCED)) | INACTIVE | WORKINGSET);
            events.count(PolicyEvents.Event.PGDEACTIVATE);
        } else if ((b & WHERE) == INACTIVE) {
            lists.setBits(pfn, b & ~REFERENCED);
        }
    }

    @Override
    public long pageEvicted(int pfn) {
        // workingset_eviction(): age first, then record it with PG_workingset and the page type.
        nonresidentAge++;
        int b = lists.bits(pfn);
        return nonresidentAge << 2 | ((b & ANON) != 0 ? 2 : 0) | ((b & WORKINGSET) != 0 ? 1 : 0);
    }

    @Override
    public void pageRefaulted(int pfn, long shadow) {
        long eviction = shadow >>> 2;
        boolean anon = (shadow & 2) != 0;
        long distance = nonresidentAge - eviction;
        int b = lists.bits(pfn);
        int ws = (shadow & 1) != 0 ? WORKINGSET : 0;
        if (distance > lists.size(active)) {
            lists.setBits(pfn, b | ws);
            return;
        }
        // workingset_refault(): the page would have stayed had the active list given way.
        nonresidentAge++;
        workingsetRefaults++;
        refaultActivated = true;
        events.count(anon ? PolicyEvents.Event.WORKINGSET_ACTIVATE_ANON : PolicyEvents.Event.WORKINGSET_ACTIVATE_FILE);
        if (ws != 0) {
            events.count(anon ? PolicyEvents.Event.WORKINGSET_RESTORE_ANON : PolicyEvents.Event.WORKINGSET_RESTORE_FILE);
        }
        if ((b & WHERE) == INACTIVE) {
            lists.remove(inactive, pfn);
            lists.addHead(active, pfn);
            lists.setBits(pfn, (b & ~WHERE) | ACTIVE | WORKINGSET);
        } else if ((b & WHERE) == 0) {
            lists.setBits(pfn, b | ACTIVATE_ON_ADD | WORKINGSET);
        }
    }

    private boolean inactiveIsLow() {
        long gb = (long) (lists.size(inactive) + lists.size(active)) / PAGES_PER_GB;
        long ratio = gb > 0 ? (long) Math.sqrt(10.0 * gb) : 1;
        return (long) lists.size(inactive) * ratio < lists.size(active);
    }

    /** shrink_active_list(): move pages from the active tail to the inactive head. */
    private void deactivate(ScanControl sc, int nr) {
        for (int i = 0; i < nr && lists.size(active) > 0; i++) {
            int pfn = lists.tail(active);
            lists.remove(active, pfn);
            sc.scanned(1);
            sc.testAndClearYoung(pfn); // folio_referenced() clears the bits; only VM_EXEC would keep it
            int b = lists.bits(pfn);
            lists.addHead(inactive, pfn);
            lists.setBits(pfn, (b & ~(WHERE | REFERENCED)) | INACTIVE | WORKINGSET);
            events.count(PolicyEvents.Event.PGDEACTIVATE);
        }
    }

    @Override
    public void shrink(ScanControl sc) {
        if (refaultActivated || inactiveIsLow() || lists.size(inactive) == 0) {
            int nr = 0;
            while (nr < SWAP_CLUSTER_MAX && lists.size(active) > 0 && (inactiveIsLow() || lists.size(inactive) == 0
                    || (refaultActivated && nr == 0))) {
                deactivate(sc, 1);
                nr++;
            }
            refaultActivated = false;
        }
        // Each page is looked at most twice: rotated once, then activated or reclaimed.
        long budget = 2L * (lists.size(inactive) + lists.size(active)) + 1;
        while (sc.nrToReclaim() > 0 && budget-- > 0) {
            if (lists.size(inactive) == 0) {
                if (lists.size(active) == 0) {
                    return;
                }
                deactivate(sc, Math.min(SWAP_CLUSTER_MAX, lists.size(active)));
            }
            int pfn = lists.tail(inactive);
            int b = lists.bits(pfn);
            lists.remove(inactive, pfn);
            sc.scanned(1);
            if ((b & ANON) != 0 && !sc.mayReclaimAnon()) {
                lists.addHead(inactive, pfn);
                continue;
            }
            boolean young = sc.testAndClearYoung(pfn);
            if (young) {
                if ((b & REFERENCED) != 0) {
                    // Second look, used again: activate (and age, as workingset_activation() does).
                    lists.addHead(active, pfn);
                    lists.setBits(pfn, (b & ~(WHERE | REFERENCED)) | ACTIVE);
                    nonresidentAge++;
                    activations++;
                    events.count(PolicyEvents.Event.PGACTIVATE);
                } else {
                    lists.addHead(inactive, pfn);
                    lists.setBits(pfn, b | REFERENCED);
                }
                continue;
            }
            if (!sc.reclaim(pfn)) {
                lists.addHead(inactive, pfn);
                continue;
            }
            lists.setBits(pfn, 0);
        }
    }

    @Override
    public int size() {
        return lists.size(inactive) + lists.size(active);
    }

    @Override
    public void verifyInvariants() {
        Lists.verify(lists, inactive, "linux-2list inactive", pfn -> (lists.bits(pfn) & WHERE) == INACTIVE);
        Lists.verify(lists, active, "linux-2list active", pfn -> (lists.bits(pfn) & WHERE) == ACTIVE);
        if (activations < 0 || nonresidentAge < 0) {
            throw new IllegalStateException("linux-2list: counters wrapped");
        }
    }
}
