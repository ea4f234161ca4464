package io.vmsim.core.vmstat;

/**
 * Event counters of {@code /proc/vmstat}, named exactly as Linux names them
 * ({@code include/linux/vm_event_item.h}, {@code mm/vmstat.c}: vmstat_text). The page
 * allocator keeps its own ({@code pgalloc_*}, {@code pgfree}, {@code nr_free_pages}).
 */
public enum VmEvent {
    PGFAULT("pgfault"),
    PGMAJFAULT("pgmajfault"),
    PGACTIVATE("pgactivate"),
    PGDEACTIVATE("pgdeactivate"),
    PGREUSE("pgreuse"),
    PSWPIN("pswpin"),
    PSWPOUT("pswpout"),
    THP_FAULT_ALLOC("thp_fault_alloc"),
    THP_FAULT_FALLBACK("thp_fault_fallback"),
    /** Huge-page faults that fell back because the memory cgroup charge failed ({@code mem_cgroup_charge()}). */
    THP_FAULT_FALLBACK_CHARGE("thp_fault_fallback_charge"),
    THP_COLLAPSE_ALLOC("thp_collapse_alloc"),
    THP_SPLIT_PAGE("thp_split_page"),
    THP_SPLIT_PMD("thp_split_pmd"),
    THP_ZERO_PAGE_ALLOC("thp_zero_page_alloc"),
    THP_DEFERRED_SPLIT_PAGE("thp_deferred_split_page"),
    NR_TLB_LOCAL_FLUSH_ALL("nr_tlb_local_flush_all"),
    NR_TLB_LOCAL_FLUSH_ONE("nr_tlb_local_flush_one"),
    /** Not a Linux counter: copy-on-write faults that copied a page (Linux folds these into pgfault). */
    COW_FAULT("vmsim_cow_copies"),
    /** Not a Linux counter: read faults that mapped the shared zero page. */
    ZERO_PAGE_MAP("vmsim_zero_page_maps"),
    // THP (issue 5): compaction, migration, khugepaged, splitting, hugetlb
    THP_COLLAPSE_ALLOC_FAILED("thp_collapse_alloc_failed"),
    THP_SPLIT_PAGE_FAILED("thp_split_page_failed"),
    COMPACT_STALL("compact_stall"),
    COMPACT_FAIL("compact_fail"),
    COMPACT_SUCCESS("compact_success"),
    COMPACT_MIGRATE_SCANNED("compact_migrate_scanned"),
    COMPACT_FREE_SCANNED("compact_free_scanned"),
    COMPACT_ISOLATED("compact_isolated"),
    COMPACT_DAEMON_WAKE("compact_daemon_wake"),
    COMPACT_DAEMON_MIGRATE_SCANNED("compact_daemon_migrate_scanned"),
    COMPACT_DAEMON_FREE_SCANNED("compact_daemon_free_scanned"),
    PGMIGRATE_SUCCESS("pgmigrate_success"),
    PGMIGRATE_FAIL("pgmigrate_fail"),
    /** /sys/kernel/mm/transparent_hugepage/khugepaged/pages_collapsed. */
    KHUGEPAGED_PAGES_COLLAPSED("khugepaged/pages_collapsed"),
    /** /sys/kernel/mm/transparent_hugepage/khugepaged/full_scans. */
    KHUGEPAGED_FULL_SCANS("khugepaged/full_scans"),
    /** Not a Linux counter: MADV_COLLAPSE ranges collapsed (Linux reports them only through the syscall's result). */
    MADV_COLLAPSE_OK("vmsim_madv_collapse"),
    HTLB_BUDDY_ALLOC_SUCCESS("htlb_buddy_alloc_success"),
    HTLB_BUDDY_ALLOC_FAIL("htlb_buddy_alloc_fail"),
    /** Huge pages allocated for shmem (shared anonymous) faults. */
    THP_FILE_ALLOC("thp_file_alloc"),
    THP_FILE_FALLBACK("thp_file_fallback"),
    /** Not a Linux counter: huge pages khugepaged split because the THP policy demoted them (shouldSplit). */
    THP_DEMOTED("vmsim_thp_demoted"),
    // reclaim (issue 3)
    PGPGIN("pgpgin"),
    PGPGOUT("pgpgout"),
    PGSCAN_KSWAPD("pgscan_kswapd"),
    PGSCAN_DIRECT("pgscan_direct"),
    PGSTEAL_KSWAPD("pgsteal_kswapd"),
    PGSTEAL_DIRECT("pgsteal_direct"),
    PGSTEAL_ANON("pgsteal_anon"),
    PGSTEAL_FILE("pgsteal_file"),
    SLABS_SCANNED("slabs_scanned"),
    PAGEOUTRUN("pageoutrun"),
    ALLOCSTALL("allocstall"),
    WORKINGSET_REFAULT_ANON("workingset_refault_anon"),
    WORKINGSET_REFAULT_FILE("workingset_refault_file"),
    /** Counted by the reclaim policy through PolicyEvents (the working-set test is the policy's). */
    WORKINGSET_ACTIVATE_ANON("workingset_activate_anon"),
    WORKINGSET_ACTIVATE_FILE("workingset_activate_file"),
    WORKINGSET_RESTORE_ANON("workingset_restore_anon"),
    WORKINGSET_RESTORE_FILE("workingset_restore_file"),
    /** Shadow-only xarray nodes freed by the shadow shrinker ({@code count_shadow_nodes()}/{@code shadow_lru_isolate()}). */
    WORKINGSET_NODERECLAIM("workingset_nodereclaim"),
    UNEVICTABLE_PGS_MLOCKED("unevictable_pgs_mlocked"),
    /** munlock cleared PG_mlocked of pages ({@code __munlock_folio()}, mm/mlock.c). */
    UNEVICTABLE_PGS_MUNLOCKED("unevictable_pgs_munlocked"),
    /** Pages munlock moved from the unevictable list back to an evictable one. */
    UNEVICTABLE_PGS_RESCUED("unevictable_pgs_rescued"),
    /** MADV_FREE made anonymous pages lazy-free ({@code lru_lazyfree()}, mm/swap.c). */
    PGLAZYFREE("pglazyfree"),
    /** Reclaim discarded clean lazy-free pages instead of swapping them ({@code try_to_unmap_one()}). */
    PGLAZYFREED("pglazyfreed"),
    NR_DIRTIED("nr_dirtied"),
    NR_WRITTEN("nr_written"),
    /** Pages reclaim started writing ({@code pageout()}: {@code NR_VMSCAN_WRITE}), to swap or to their file. */
    NR_VMSCAN_WRITE("nr_vmscan_write"),
    /** Dirty file pages reclaim marked PG_reclaim and left to the flusher ({@code NR_VMSCAN_IMMEDIATE}, shrink_folio_list()). */
    NR_VMSCAN_IMMEDIATE("nr_vmscan_immediate_reclaim"),
    /** Pages reclaim wrote that {@code folio_end_writeback()} moved to the inactive tail ({@code folio_rotate_reclaimable()}). */
    PGROTATED("pgrotated"),
    OOM_KILL("oom_kill"),
    /** Not a Linux counter: page-cache lookups by read() and file faults that found the page. */
    PAGECACHE_HIT("vmsim_pagecache_hits"),
    /** Not a Linux counter: page-cache lookups that had to read the page from storage. */
    PAGECACHE_MISS("vmsim_pagecache_misses"),
    /** Not a Linux counter: pages read ahead of use ({@code mm/readahead.c}). */
    READAHEAD_PAGES("vmsim_readahead_pages"),
    /** Not a Linux counter: times a writer was throttled by balance_dirty_pages(). */
    DIRTY_THROTTLE("vmsim_dirty_throttled"),
    /** Not a Linux counter: mappings refused by the overcommit policy (mmap returned ENOMEM). */
    OVERCOMMIT_REFUSED("vmsim_overcommit_refused"),
    // automatic NUMA balancing (issue 10): include/linux/vm_event_item.h, CONFIG_NUMA_BALANCING
    /** PTEs made NUMA-hinting (PROT_NONE) by the scanner ({@code change_prot_numa()}); a huge PMD counts 512. */
    NUMA_PTE_UPDATES("numa_pte_updates"),
    /** Huge PMDs made NUMA-hinting. */
    NUMA_HUGE_PTE_UPDATES("numa_huge_pte_updates"),
    /** NUMA hinting faults ({@code do_numa_page()}, {@code do_huge_pmd_numa_page()}). */
    NUMA_HINT_FAULTS("numa_hint_faults"),
    /** Hinting faults on a page of the faulting CPU's node. */
    NUMA_HINT_FAULTS_LOCAL("numa_hint_faults_local"),
    /** Pages migrated by hinting faults ({@code migrate_misplaced_folio()}). */
    NUMA_PAGES_MIGRATED("numa_pages_migrated"),
    /** Tasks moved to an idle CPU of their preferred node ({@code migrate_task_to()}). */
    NUMA_TASK_MIGRATED("numa_task_migrated"),
    /** Tasks swapped with a task on their preferred node ({@code migrate_swap()}). */
    NUMA_TASK_SWAPPED("numa_task_swapped"),
    // memory tiering (issue 10): include/linux/mmzone.h node_stat_item, Linux 6.18
    /** Pages promoted from a slower tier to a top-tier node by hinting faults ({@code migrate_misplaced_folio()}). */
    PGPROMOTE_SUCCESS("pgpromote_success"),
    /** Promotion candidates under the rate limit ({@code numa_promotion_rate_limit()}). */
    PGPROMOTE_CANDIDATE("pgpromote_candidate"),
    /** Promotion candidates outside the rate limit: the target had free space enough (6.17+). */
    PGPROMOTE_CANDIDATE_NRL("pgpromote_candidate_nrl"),
    /** Pages demoted to a slower tier by kswapd's reclaim ({@code demote_folio_list()}). */
    PGDEMOTE_KSWAPD("pgdemote_kswapd"),
    /** Pages demoted to a slower tier by direct reclaim. */
    PGDEMOTE_DIRECT("pgdemote_direct");

    private final String linuxName;

    VmEvent(String linuxName) {
        this.linuxName = linuxName;
    }

    /** The name in {@code /proc/vmstat}. */
    public String linuxName() {
        return linuxName;
    }
}
