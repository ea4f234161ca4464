package io.vmsim.core.mm;

/**
 * What the address-space code asks of the subsystems built on it (overcommit accounting, swap,
 * the page cache), which live in packages above {@code mm} and so cannot be called directly.
 * The reclaim subsystem installs an implementation in {@link Kernel#hooks}; the defaults do
 * nothing, which is a machine without swap, page cache or overcommit limits.
 */
public interface MmHooks {
    /** Hooks that account nothing and own no swap. */
    MmHooks NONE = new MmHooks() {
    };

    /**
     * A mapping of {@code pages} pages that must be backed by RAM or swap is being created
     * ({@code security_vm_enough_memory_mm()} in {@code mm/util.c}). Throws
     * {@link WorkloadException} to refuse it (mmap returns ENOMEM); otherwise charges
     * {@code Committed_AS}.
     */
    default void accountMapping(Mm mm, long pages) {
    }

    /**
     * Whether {@code MAP_NORESERVE} exempts a mapping from accounting: {@code do_mmap()} sets
     * {@code VM_NORESERVE} only when {@code vm.overcommit_memory} is not 2 (OVERCOMMIT_NEVER).
     */
    default boolean honoursNoreserve() {
        return true;
    }

    /** An accounted mapping of {@code pages} pages went away ({@code vm_unacct_memory()}). */
    default void unaccountMapping(Mm mm, long pages) {
    }

    /** A PTE holding swap entry {@code entry} was zapped ({@code free_swap_and_cache()}). */
    default void swapEntryFreed(long entry) {
    }

    /** fork copied a PTE holding swap entry {@code entry} ({@code swap_duplicate()}). */
    default void swapEntryDuplicated(long entry) {
    }

    /** An anonymous page that is in the swap cache is being freed ({@code delete_from_swap_cache()}). */
    default void swapCachePageFreed(int pfn) {
    }

    /**
     * {@code folio_free_swap()}: a write is about to dirty swap-cache page {@code pfn}; if no
     * swap entry still names its slot, the page leaves the swap cache and the slot is freed.
     * Returns true if the page is no longer in the swap cache.
     */
    default boolean freeSwapCache(int pfn) {
        return false;
    }

    /**
     * A task of {@code mm} is about to allocate {@code nr} user pages: enforce its memory
     * cgroup's {@code memory.max} and {@code memory.high} first ({@code try_charge_memcg()}),
     * reclaiming within the group or killing in it.
     */
    default void beforeUserAlloc(Mm mm, int nr) {
    }

    /**
     * {@code mem_cgroup_charge()} of a huge folio of {@code nr} pages just allocated for a task of
     * {@code mm} with {@link io.vmsim.core.alloc.Gfp} flags {@code gfp}: unlike
     * {@link #beforeUserAlloc}, it may fail (the caller then frees the folio and falls back),
     * and it never invokes the OOM killer (order above PAGE_ALLOC_COSTLY_ORDER). Returns true if
     * the group has room for it now.
     */
    default boolean tryChargeHuge(Mm mm, int nr, int gfp) {
        return true;
    }

    /** As {@link #beforeUserAlloc(Mm, int)} by a task on {@code cpu}, whose per-CPU charge stock is used. */
    default void beforeUserAlloc(Mm mm, int nr, int cpu) {
        beforeUserAlloc(mm, nr);
    }

    /** User page {@code pfn} (a folio head of {@code nr} pages) now belongs to the memory cgroup of {@code mm} (null: the root). */
    default void charge(int pfn, int nr, Mm mm) {
    }

    /** User page {@code pfn} of {@code nr} pages is being freed. */
    default void uncharge(int pfn, int nr) {
    }

    /**
     * A task of {@code mm} on {@code cpu} allocates an accounted slab object of {@code size}
     * bytes ({@link AccountedSlabs}): {@code obj_cgroup_charge()} to the memory cgroup of
     * {@code mm}, from the CPU's object stock or with whole pages from the page counter (which may
     * reclaim or OOM-kill, as {@code try_charge_memcg()}). Returns the group charged, 0 for none
     * (the root), to give to {@link #unchargeSlabObject}.
     */
    default int chargeSlabObject(Mm mm, int size, int cpu) {
        return 0;
    }

    /**
     * As {@link #chargeSlabObject}, for an xarray node allocated under the xarray's lock: first
     * with {@code GFP_NOWAIT} ({@code xas_alloc()}: no reclaim; a failed charge of the page
     * counter counts in {@code failcnt}), then, if that failed, again with reclaim
     * ({@code xas_nomem()}).
     */
    default int chargeSlabObjectNowaitFirst(Mm mm, int size, int cpu) {
        return chargeSlabObject(mm, size, cpu);
    }

    /** The memory cgroup user page {@code pfn} is charged to ({@code folio_memcg()}); 0 for none or the root. */
    default int memcgOf(int pfn) {
        return 0;
    }

    /** An object {@link #chargeSlabObject} charged to {@code memcg} is freed on {@code cpu} ({@code refill_obj_stock()}). */
    default void unchargeSlabObject(int memcg, int size, int cpu) {
    }

    /**
     * As {@link #unchargeSlabObject}, for an object the kernel frees after an RCU grace period
     * ({@code call_rcu()}: the shmem inode, xarray nodes): it stays charged until
     * {@link #rcuCallbacks} finds its grace period over ({@link io.vmsim.core.memcg.RcuFrees}).
     */
    default void unchargeSlabObjectRcu(int memcg, int size, int cpu) {
        unchargeSlabObject(memcg, size, cpu);
    }

    /** Runs the RCU callbacks whose grace period has ended ({@code rcu_core()}); cheap when none is due. */
    default void rcuCallbacks() {
    }

    /**
     * Migration moved page {@code from} to {@code to} ({@code folio_migrate_mapping()},
     * {@code mem_cgroup_migrate()}): call after the new frame has the old one's flags, mapping
     * and index and before it is handed to the reclaim policy, so that the page-cache slot, the
     * swap-cache slot and the memory-cgroup charge follow the page.
     */
    default void pageMigrated(int from, int to) {
    }

    /** A huge page became {@code nr} order-0 pages: each keeps the folio's memory-cgroup charge ({@code split_page_memcg()}). */
    default void folioSplit(int head, int nr) {
    }

    /**
     * MADV_PAGEOUT: reclaim the order-0 page {@code pfn} now if it can be ({@code reclaim_pages()});
     * returns true if it was. The default reclaims nothing.
     */
    default boolean reclaimOnRequest(int pfn) {
        return false;
    }

    /** A dirty PTE mapping page-cache page {@code pfn} was zapped or cleaned: the page becomes dirty ({@code folio_mark_dirty()}). */
    default void filePageDirtied(int pfn) {
    }
}
