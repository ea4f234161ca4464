package io.vmsim.core.config;

import io.vmsim.api.config.ConfigKey;

import java.util.List;

/**
 * The catalogue of the core's configuration keys. Every key the core reads is declared here
 * with its type, default, range and one sentence of documentation; this list doubles as the
 * reference that {@code vmsim config show} prints. Keys follow Linux's sysctl and sysfs names
 * where Linux has one ({@code vm.*}, {@code mm.transparent_hugepage.*}).
 */
public final class CoreKeys {
    private CoreKeys() {
    }

    public static final String SEED = "seed";
    public static final String MEMORY = "machine.memory";
    /** {@code CONFIG_DEFERRED_STRUCT_PAGE_INIT}: frames initialised when first needed, not at boot. */
    public static final String DEFERRED_STRUCT_PAGE_INIT = "machine.deferred_struct_page_init";
    public static final String NODES = "machine.nodes";
    public static final String CPUS = "machine.cpus";
    public static final String CPU_PROFILE = "cpu.profile";
    // NUMA topology (issue 10)
    public static final String NUMA_NODE_MEMORY = "machine.numa.node_memory";
    public static final String NUMA_CPUS = "machine.numa.cpus";
    public static final String NUMA_DISTANCE = "machine.numa.distance";
    public static final String NUMA_LATENCY_NS = "machine.numa.latency_ns";
    public static final String NUMA_BANDWIDTH_MBPS = "machine.numa.bandwidth_mbps";
    public static final String PGTABLE_LEVELS = "mmu.pgtable_levels";
    public static final String PWC = "mmu.pwc";
    public static final String SWAPPINESS = "vm.swappiness";
    public static final String MIN_FREE_KBYTES = "vm.min_free_kbytes";
    public static final String WATERMARK_SCALE_FACTOR = "vm.watermark_scale_factor";
    public static final String PCP_BATCH = "vm.percpu_pagelist_batch";
    public static final String THP_ENABLED = "mm.transparent_hugepage.enabled";
    public static final String THP_DEFRAG = "mm.transparent_hugepage.defrag";
    public static final String THP_USE_ZERO_PAGE = "mm.transparent_hugepage.use_zero_page";
    public static final String ZERO_PAGE = "vm.zero_page";
    public static final String POLICY_RECLAIM = "policy.reclaim";
    public static final String POLICY_THP = "policy.thp";
    public static final String POLICY_NUMA = "policy.numa";
    /** mempolicy (issue 10): {@code /sys/kernel/mm/mempolicy/weighted_interleave/nodeN}, one weight per node. */
    public static final String WEIGHTED_INTERLEAVE = "mm.mempolicy.weighted_interleave";
    public static final String POLICY_KSM = "policy.ksm";
    /** Live migration (issue 12): the order pages travel in precopy and postcopy. */
    public static final String POLICY_MIGRATION = "policy.migration";
    public static final String TRACE_FORMAT = "trace.format";
    public static final String TRACE_INSTRUCTIONS = "trace.instructions";
    public static final String PLUGINS_DIR = "vmsim.plugins.dir";
    /** Simulated milliseconds between two samples of a report's time series (run --report). */
    public static final String REPORT_INTERVAL_MS = "report.interval_ms";
    public static final String DEBUG_CHECKS = "vmsim.debug_checks";
    public static final String DEBUG_CHECKS_INTERVAL = "vmsim.debug_checks_interval";

    public static final String COST_ACCESS = "cost.access_ns";
    public static final String COST_STLB_HIT = "cost.stlb_hit_ns";
    public static final String COST_WALK_REF = "cost.walk_ref_ns";
    public static final String COST_FAULT = "cost.fault_ns";
    public static final String COST_ZERO_4K = "cost.zero_4k_ns";
    public static final String COST_ZERO_2M = "cost.zero_2m_ns";
    public static final String COST_COPY_4K = "cost.copy_4k_ns";
    public static final String COST_PGTABLE_ALLOC = "cost.pgtable_alloc_ns";
    public static final String COST_STORE_BYTE = "cost.store_byte_ns";

    // THP (issue 5)
    public static final String KHUGEPAGED_PAGES_TO_SCAN = "mm.transparent_hugepage.khugepaged.pages_to_scan";
    public static final String KHUGEPAGED_SCAN_SLEEP_MS = "mm.transparent_hugepage.khugepaged.scan_sleep_millisecs";
    public static final String KHUGEPAGED_ALLOC_SLEEP_MS = "mm.transparent_hugepage.khugepaged.alloc_sleep_millisecs";
    public static final String KHUGEPAGED_DEFRAG = "mm.transparent_hugepage.khugepaged.defrag";
    public static final String EXTFRAG_THRESHOLD = "vm.extfrag_threshold";
    public static final String NR_HUGEPAGES = "vm.nr_hugepages";
    public static final String NR_HUGEPAGES_1G = "vm.nr_hugepages_1g";
    public static final String COST_COMPACT_SCAN = "cost.compact_scan_ns";
    public static final String COST_CACHE_MISS = "cost.cache_miss_ns";
    public static final String COST_WALK_MISS_OVERLAP = "cost.walk_miss_overlap";
    public static final String CPU_CACHE_SIZE = "cpu.cache_size";
    public static final String THP_SHMEM_ENABLED = "mm.transparent_hugepage.shmem_enabled";
    // reclaim (issue 3)
    public static final String SWAP_SIZE = "swap.size";
    public static final String SWAP_DEVICES = "swap.devices";
    public static final String SWAP_SYNCHRONOUS_IO = "swap.synchronous_io";
    public static final String OVERCOMMIT_MEMORY = "vm.overcommit_memory";
    public static final String OVERCOMMIT_RATIO = "vm.overcommit_ratio";
    public static final String OVERCOMMIT_KBYTES = "vm.overcommit_kbytes";
    public static final String DIRTY_RATIO = "vm.dirty_ratio";
    public static final String DIRTY_BACKGROUND_RATIO = "vm.dirty_background_ratio";
    public static final String DIRTY_WRITEBACK_CENTISECS = "vm.dirty_writeback_centisecs";
    public static final String READ_AHEAD_KB = "block.read_ahead_kb";
    public static final String FAULT_AROUND_BYTES = "vm.fault_around_bytes";
    public static final String MEMCG_RECLAIM_BATCH = "memcg.reclaim_batch";
    public static final String MEMCG_KMEM = "memcg.kmem";
    public static final String COST_IO_LATENCY = "cost.io_latency_ns";
    public static final String COST_IO_PAGE = "cost.io_page_ns";
    public static final String COST_RMAP = "cost.rmap_ns";
    public static final String COST_WRITE_PAGE = "cost.write_page_ns";
    public static final String COST_PAGEOUT = "cost.pageout_ns";
    // automatic NUMA balancing (issue 10): kernel/sched/fair.c, Documentation/admin-guide/sysctl/kernel.rst
    public static final String NUMA_BALANCING = "kernel.numa_balancing";
    public static final String NUMA_SCAN_DELAY_MS = "kernel.numa_balancing_scan_delay_ms";
    public static final String NUMA_SCAN_PERIOD_MIN_MS = "kernel.numa_balancing_scan_period_min_ms";
    public static final String NUMA_SCAN_PERIOD_MAX_MS = "kernel.numa_balancing_scan_period_max_ms";
    public static final String NUMA_SCAN_SIZE_MB = "kernel.numa_balancing_scan_size_mb";
    // memory tiering (issue 10): mm/memory-tiers.c, mm/vmscan.c, kernel/sched/fair.c
    public static final String NUMA_DEMOTION_ENABLED = "mm.numa.demotion_enabled";
    public static final String NUMA_PROMOTE_RATE_LIMIT_MBPS = "kernel.numa_balancing_promote_rate_limit_MBps";
    public static final String NUMA_HOT_THRESHOLD_MS = "kernel.numa_balancing_hot_threshold_ms";
    // KSM (issue 11): /sys/kernel/mm/ksm/*
    public static final String KSM_RUN = "mm.ksm.run";
    public static final String KSM_PAGES_TO_SCAN = "mm.ksm.pages_to_scan";
    public static final String KSM_SLEEP_MILLISECS = "mm.ksm.sleep_millisecs";
    public static final String KSM_MAX_PAGE_SHARING = "mm.ksm.max_page_sharing";
    public static final String KSM_MERGE_ACROSS_NODES = "mm.ksm.merge_across_nodes";
    public static final String KSM_USE_ZERO_PAGES = "mm.ksm.use_zero_pages";
    public static final String KSM_SMART_SCAN = "mm.ksm.smart_scan";
    public static final String COST_KSM_CHECKSUM = "cost.ksm_checksum_ns";
    // live migration (issue 12): the guest, the link and the limits of the migrate phase
    public static final String MIGRATION_RAM = "migration.ram";
    public static final String MIGRATION_DIRTY_RATE_MBPS = "migration.dirty_rate_mbps";
    public static final String MIGRATION_DIRTY_PATTERN = "migration.dirty_pattern";
    public static final String MIGRATION_BANDWIDTH_MBPS = "migration.bandwidth_mbps";
    public static final String MIGRATION_RTT_US = "migration.rtt_us";
    public static final String MIGRATION_MAX_DOWNTIME_MS = "migration.max_downtime_ms";
    public static final String MIGRATION_MAX_ROUNDS = "migration.max_rounds";

    /**
     * Linux's sysfs names for knobs that vmsim gives to a policy: khugepaged's
     * {@code /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_*} are thresholds of the
     * {@code linux} THP policy, so a research policy can declare its own. Either name sets it.
     */
    public static final java.util.Map<String, String> ALIASES = java.util.Map.of(
            "mm.transparent_hugepage.khugepaged.max_ptes_none", "policy.thp.linux.max_ptes_none",
            "mm.transparent_hugepage.khugepaged.max_ptes_swap", "policy.thp.linux.max_ptes_swap",
            "mm.transparent_hugepage.khugepaged.max_ptes_shared", "policy.thp.linux.max_ptes_shared");

    /** Every core key, in the order {@code vmsim config show} prints them. */
    public static final List<ConfigKey> ALL = List.of(
            ConfigKey.integer(SEED, 42, Long.MIN_VALUE, Long.MAX_VALUE,
                    "Seed of every random choice in a run; the same config and seed give byte-identical output."),
            ConfigKey.size(MEMORY, "4G", 16L << 20, 1L << 42,
                    "Simulated physical memory (MemTotal), split across NUMA nodes as machine.numa.node_memory says (evenly by default); frames never touched cost no heap (docs/configuration.md#simulated-memory-size)."),
            ConfigKey.bool(DEFERRED_STRUCT_PAGE_INIT, true,
                    "Linux's CONFIG_DEFERRED_STRUCT_PAGE_INIT: free MAX_ORDER blocks are initialised (and their frame metadata allocated, 128 MiB sections at a time) when the allocator first needs them; false initialises every frame at boot, with the same results, for checking."),
            ConfigKey.integer(NODES, 1, 1, 64, "Number of NUMA nodes."),
            ConfigKey.integer(CPUS, 2, 1, 1024, "Number of CPUs, placed on nodes as machine.numa.cpus says (spread evenly by default)."),
            // NUMA topology (issue 10); docs/numa.md
            ConfigKey.string(NUMA_NODE_MEMORY, "even",
                    "Memory of each NUMA node, a comma list of sizes (4G,4G,16G), each a multiple of 4M, adding up to machine.memory; even splits machine.memory evenly (4M-aligned, the last node takes the rest)."),
            ConfigKey.string(NUMA_CPUS, "even",
                    "CPUs of each node, lists of CPUs and ranges separated by ';' (0-3;4-7;), every CPU on exactly one node; an empty list is a memory-only (CPU-less) node; even gives each node ceil(cpus/nodes) consecutive CPUs."),
            ConfigKey.string(NUMA_DISTANCE, "auto",
                    "The ACPI SLIT node_distance() table, rows separated by ';' (10,20;20,10): 10 on the diagonal, 11..254 elsewhere, need not be symmetric; orders the allocator's fallback (build_zonelists()) and scales remote latency; auto is 10 local, 20 remote."),
            ConfigKey.string(NUMA_LATENCY_NS, "auto",
                    "Load latency of each node's memory from its nearest CPUs in ns, a comma list; a CPU on node C waits L(C,N) = latency[N] x distance(C,N) / dmin(N) for node N, and a cache-missing reference to N costs cost.cache_miss_ns x L(C,N) / L(C,C), or L(C,N) - L(C,C) when cost.cache_miss_ns is 0 (docs/numa.md); auto is 90 for a node with CPUs, 210 for a memory-only node."),
            ConfigKey.string(NUMA_BANDWIDTH_MBPS, "auto",
                    "Bandwidth of each node's memory in MB/s, a comma list; scales clearing and copying a page at an anonymous fault (bandwidth of the CPU's node / of the page's node) and places memory-only nodes in memory tiers with the latency (mm/memory-tiers.c); auto is 100000 for a node with CPUs, 25000 for a memory-only node."),
            ConfigKey.oneOf(CPU_PROFILE, "haswell", List.of("haswell", "reference-2010", "host"),
                    "CPU model: TLB geometry and page-walk caches (haswell: 64x4K, 32x2M, 4x1G L1 DTLB and a 1024-entry STLB)."),
            ConfigKey.integer(PGTABLE_LEVELS, 4, 4, 5, "Page-table levels: 4 (48-bit virtual addresses) or 5 (57-bit, LA57)."),
            ConfigKey.bool(PWC, true, "Model page-walk caches (paging-structure caches) that skip upper levels of a walk."),
            ConfigKey.integer(SWAPPINESS, 60, 0, 200,
                    "vm.swappiness: relative cost of reclaiming anonymous pages (swap) versus file pages; 0 avoids swapping, 200 favours it."),
            ConfigKey.integer(MIN_FREE_KBYTES, -1, -1, Long.MAX_VALUE,
                    "vm.min_free_kbytes: the min watermark summed over zones; -1 computes it as Linux does (sqrt(lowmem_kbytes * 16), clamped to [128, 262144])."),
            ConfigKey.integer(WATERMARK_SCALE_FACTOR, 10, 1, 3000,
                    "vm.watermark_scale_factor: distance between min, low and high watermarks in units of 0.01% of memory."),
            ConfigKey.integer(PCP_BATCH, 63, 1, 4096,
                    "Per-CPU page list batch: pages moved between a CPU's list and the buddy lists at once; the high mark is 6 x batch."),
            ConfigKey.oneOf(THP_ENABLED, "always", List.of("always", "madvise", "never"),
                    "/sys/kernel/mm/transparent_hugepage/enabled: use huge pages at fault time always, only in MADV_HUGEPAGE areas, or never."),
            ConfigKey.oneOf(THP_DEFRAG, "madvise", List.of("always", "defer", "defer+madvise", "madvise", "never"),
                    "/sys/kernel/mm/transparent_hugepage/defrag: how hard a huge-page fault tries (direct reclaim/compaction, waking kswapd/kcompactd, or neither)."),
            ConfigKey.bool(THP_USE_ZERO_PAGE, true,
                    "/sys/kernel/mm/transparent_hugepage/use_zero_page: map the huge zero page on a read fault of a huge-eligible range."),
            ConfigKey.bool(ZERO_PAGE, true,
                    "Map the shared 4 KiB zero page on a read fault of untouched private anonymous memory, as Linux does; false allocates a zeroed frame instead (a kernel without the zero page, as the conformance recordings)."),
            ConfigKey.string(POLICY_RECLAIM, "linux-2list",
                    "The reclaim policy, by name (see `vmsim policies`); the default is Linux's active/inactive lists with working-set detection."),
            ConfigKey.string(POLICY_THP, "linux", "The transparent-huge-page policy, by name."),
            ConfigKey.string(POLICY_NUMA, "first-touch", "The NUMA placement policy, by name."),
            ConfigKey.string(WEIGHTED_INTERLEAVE, "1",
                    "Weighted-interleave weights (/sys/kernel/mm/mempolicy/weighted_interleave/nodeN), 1..255, comma-separated from node 0; nodes past the list weigh 1."),
            ConfigKey.string(POLICY_KSM, "none", "The page deduplication policy, by name."),
            ConfigKey.string(POLICY_MIGRATION, "last-fault-first",
                    "The live-migration policy, by name: the order precopy sends pages and the page the postcopy background stream pushes next (docs/migration.md)."),
            ConfigKey.oneOf(TRACE_FORMAT, "auto", List.of("auto", "lackey", "pages", "addresses", "vmt", "oraclegeneral", "csv"),
                    "Format of --trace: valgrind lackey, one decimal page number per line, one hex or decimal address per line, vmsim's binary vmt, libCacheSim's oracleGeneral or csv (docs/traces.md), or auto-detect."),
            ConfigKey.bool(TRACE_INSTRUCTIONS, false, "Replay lackey 'I' (instruction fetch) lines as reads; by convention they are ignored."),
            ConfigKey.real(REPORT_INTERVAL_MS, 1.0, 0.001, 1e9, "With run --report, simulated ms between two samples of the time series (free memory, RSS, LRU lists, refaults, THP, NUMA, KSM), taken at the next point between references (4096 of a scenario, 8192 of a trace), plus one at the start and one at the end; no sampling without --report."),
            ConfigKey.string(PLUGINS_DIR, "./plugins", "Folder of plugins: each jar, or each sub-folder of jars (a plugin with its own libraries), gets its own class loader that sees the JDK's platform modules, vm-api and its own jars."),
            ConfigKey.bool(DEBUG_CHECKS, false, "Check frame, page-table, rmap, refcount, LRU, memcg, counter and swap invariants (CONFIG_DEBUG_VM) at the end of every phase, every vmsim.debug_checks_interval references and at the end of the run; the first broken one stops the run naming it (slow)."),
            ConfigKey.integer(DEBUG_CHECKS_INTERVAL, 0, 0, Long.MAX_VALUE, "With vmsim.debug_checks, also check every this many references (at the next point between references: 4096 of a scenario, 8192 of a trace); 0 checks at the end of every phase (a trace replay is one phase) only."),
            ConfigKey.real(COST_ACCESS, 0.5, 0, 1e9, "Simulated ns of a memory reference that hits the L1 DTLB."),
            ConfigKey.real(COST_STLB_HIT, 2.0, 0, 1e9, "Extra simulated ns when the L1 DTLB misses and the STLB hits."),
            ConfigKey.real(COST_WALK_REF, 10.0, 0, 1e9, "Simulated ns of one memory reference made by the page walker."),
            ConfigKey.real(COST_FAULT, 1000.0, 0, 1e12, "Simulated ns of entering and leaving the page-fault handler, excluding zeroing and copying."),
            ConfigKey.real(COST_ZERO_4K, 400.0, 0, 1e12, "Simulated ns to zero a 4 KiB page (clear_page)."),
            ConfigKey.real(COST_ZERO_2M, 204800.0, 0, 1e12, "Simulated ns to zero a 2 MiB page (clear_huge_page)."),
            ConfigKey.real(COST_COPY_4K, 600.0, 0, 1e12, "Simulated ns to copy a 4 KiB page (copy-on-write)."),
            ConfigKey.real(COST_PGTABLE_ALLOC, 200.0, 0, 1e12, "Simulated ns to allocate and zero a page-table page."),
            ConfigKey.real(COST_STORE_BYTE, 0.1, 0, 1e9, "Simulated ns per byte stored by a memset phase, beyond the per-reference cost."),
            // THP (issue 5)
            ConfigKey.integer(KHUGEPAGED_PAGES_TO_SCAN, 4096, 512, 1L << 24,
                    "/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan: pages khugepaged scans per wake-up (a PMD range counts 512)."),
            ConfigKey.integer(KHUGEPAGED_SCAN_SLEEP_MS, 10000, 1, 1L << 31,
                    "/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs: simulated ms khugepaged sleeps between scans."),
            ConfigKey.integer(KHUGEPAGED_ALLOC_SLEEP_MS, 60000, 1, 1L << 31,
                    "/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs: simulated ms khugepaged sleeps after a failed huge-page allocation."),
            ConfigKey.bool(KHUGEPAGED_DEFRAG, true,
                    "/sys/kernel/mm/transparent_hugepage/khugepaged/defrag: khugepaged's allocations may use direct reclaim and compaction."),
            ConfigKey.integer(EXTFRAG_THRESHOLD, 500, 0, 1000,
                    "vm.extfrag_threshold: compaction skips a zone whose fragmentation index is at or below this (the failure is for lack of memory, not fragmentation)."),
            ConfigKey.integer(NR_HUGEPAGES, 0, 0, 1L << 24,
                    "vm.nr_hugepages: 2 MiB hugetlbfs pages set aside at boot (HugePages_Total)."),
            ConfigKey.integer(NR_HUGEPAGES_1G, 0, 0, 1L << 14,
                    "1 GiB hugetlbfs pages set aside at boot (hugepagesz=1G hugepages=N), each a naturally aligned free GiB."),
            ConfigKey.real(COST_COMPACT_SCAN, 2.0, 0, 1e9,
                    "Simulated ns for compaction to examine one page frame (either scanner); migration adds cost.copy_4k_ns per page moved."),
            ConfigKey.real(COST_CACHE_MISS, 0.0, 0, 1e9,
                    "Simulated ns of a reference that misses the CPU caches, charged to references hardware prefetchers cannot follow (strided a page or more apart, random, zipf) as far as the phase's footprint exceeds cpu.cache_size; 0 leaves it out."),
            ConfigKey.real(COST_WALK_MISS_OVERLAP, 0.0, 0, 1,
                    "Fraction of a TLB miss (STLB lookup and walk) hidden when the same reference misses the caches and depends on no earlier load (strided, random and zipf phases): the core keeps its walk in flight with the other references' misses; the reference is charged (1 - overlap) x walk + miss; 0 charges both in full."),
            ConfigKey.size(CPU_CACHE_SIZE, "8M", 0, 1L << 40,
                    "Last-level cache size: a strided pass whose touched lines (64 bytes a reference, the stride for memset, the phases of a parallel phase together) exceed it misses on every reference a page or more apart, one that fits misses on its first pass only; a random or zipf phase misses on 1 - size/footprint of its references."),
            ConfigKey.oneOf(THP_SHMEM_ENABLED, "never", List.of("always", "within_size", "advise", "never", "deny", "force"),
                    "/sys/kernel/mm/transparent_hugepage/shmem_enabled: huge pages for shared anonymous (shmem) mappings always, within the object's size, in MADV_HUGEPAGE areas, or never (deny/force: off/on for all)."),
            // reclaim (issue 3)
            ConfigKey.size(SWAP_SIZE, "0", 0, 1L << 40,
                    "Total swap space (SwapTotal), split evenly over swap.devices; 0 means no swap, so anonymous memory is unevictable."),
            ConfigKey.integer(SWAP_DEVICES, 1, 1, 32,
                    "Number of swap devices of equal priority sharing swap.size; slots are taken from the first device with room, as with swapon priorities."),
            ConfigKey.bool(SWAP_SYNCHRONOUS_IO, true,
                    "The swap devices complete a write before the call that submits it returns (SWP_SYNCHRONOUS_IO: zram, pmem, brd): reclaim frees an anonymous page it wrote in the same pass. false: a disk or a swap file, whose writes complete after cost.io_latency_ns plus cost.io_page_ns a page: reclaim keeps the written page in the swap cache, charged and on the LRU, and frees it on a later pass."),
            ConfigKey.integer(OVERCOMMIT_MEMORY, 0, 0, 2,
                    "vm.overcommit_memory: 0 refuses a single mapping larger than RAM + swap (heuristic), 1 never refuses, 2 refuses what would take Committed_AS past CommitLimit."),
            ConfigKey.integer(OVERCOMMIT_RATIO, 50, 0, 100000,
                    "vm.overcommit_ratio: percentage of RAM in CommitLimit = (RAM - hugetlb pool) x ratio / 100 + swap (mode 2)."),
            ConfigKey.integer(OVERCOMMIT_KBYTES, 0, 0, Long.MAX_VALUE,
                    "vm.overcommit_kbytes: if not 0, CommitLimit = overcommit_kbytes + swap instead of using vm.overcommit_ratio."),
            ConfigKey.integer(DIRTY_RATIO, 20, 1, 100,
                    "vm.dirty_ratio: percentage of dirtyable memory (free + page cache) at which a writer is throttled and writes back itself."),
            ConfigKey.integer(DIRTY_BACKGROUND_RATIO, 10, 0, 100,
                    "vm.dirty_background_ratio: percentage of dirtyable memory at which the flusher starts background writeback."),
            ConfigKey.integer(DIRTY_WRITEBACK_CENTISECS, 500, 1, 1_000_000,
                    "vm.dirty_writeback_centisecs: period of the flusher's periodic writeback, in hundredths of a second."),
            ConfigKey.integer(READ_AHEAD_KB, 128, 0, 1 << 20,
                    "/sys/block/*/queue/read_ahead_kb: largest readahead window; 0 disables readahead."),
            ConfigKey.integer(FAULT_AROUND_BYTES, 65536, 0, 2097152,
                    "/sys/kernel/debug/fault_around_bytes: a read fault in a file or shmem area also maps the cached pages of the aligned window of this size around it (do_fault_around()), rounded down to a power of two pages; 4096 or less turns it off."),
            ConfigKey.integer(MEMCG_RECLAIM_BATCH, 32, 1, 1024,
                    "Pages a memory cgroup at memory.max asks reclaim for per attempt, at least: Linux's try_charge_memcg()"
                            + " asks for max(needed, SWAP_CLUSTER_MAX = 32); below 32 reclaim also stops at the pages asked for instead of finishing its batch, so 1 evicts exactly on demand (vmsim mrc --machine)."),
            ConfigKey.bool(MEMCG_KMEM, true,
                    "Kernel memory accounting: page tables and accounted slab objects (vm_area_struct, mm_struct, the page cache's xarray"
                            + " nodes, buffer heads) are charged to the memory cgroup of the task that allocates them; false is Linux's"
                            + " cgroup.memory=nokmem boot option, which charges user pages only (vmsim mrc --machine)."),
            ConfigKey.real(COST_IO_LATENCY, 100000.0, 0, 1e12,
                    "Simulated ns of one storage request (file read, swap-in, writeback), before transfer time."),
            ConfigKey.real(COST_IO_PAGE, 1000.0, 0, 1e12, "Simulated ns to transfer 4 KiB to or from storage."),
            ConfigKey.real(COST_RMAP, 50.0, 0, 1e12,
                    "Simulated ns per page-table entry visited by a reverse-map walk (folio_referenced, try_to_unmap)."),
            ConfigKey.real(COST_WRITE_PAGE, 0.0, 0, 1e12,
                    "Simulated ns of CPU a write() spends on each page besides copying it (cost.copy_4k_ns): the page-cache lookup or insertion,"
                            + " the memory cgroup charge, the file system's write_begin and write_end. 0 leaves it out; the conformance runner sets"
                            + " 7700, measured on its recording machine (conformance/writeback/pwrite-cost.c)."),
            ConfigKey.real(COST_PAGEOUT, 0.0, 0, 1e12,
                    "Simulated ns of the reclaiming task's CPU time for each anonymous page its reclaim writes to an asynchronous swap device (swap.synchronous_io=false): add_to_swap, pageout, the bio's submission; 0 leaves that work free."),
            // automatic NUMA balancing (issue 10)
            ConfigKey.integer(NUMA_BALANCING, 0, 0, 3,
                    "kernel.numa_balancing: 0 off, 1 automatic NUMA balancing (scanner, hinting faults, migrate on fault, task placement; policy.numa defaults to linux), 2 memory tiering (NUMA_BALANCING_MEMORY_TIERING: only pages outside the top tier are scanned, and hot ones are promoted), 3 both."),
            ConfigKey.integer(NUMA_SCAN_DELAY_MS, 1000, 0, 1L << 31,
                    "kernel.numa_balancing_scan_delay_ms: simulated ms after a task starts before its address space is first scanned."),
            ConfigKey.integer(NUMA_SCAN_PERIOD_MIN_MS, 1000, 1, 1L << 31,
                    "kernel.numa_balancing_scan_period_min_ms: shortest time to scan a task's whole address space; the per-pass period is this divided by the address space's scan_size windows, at least 1000 ms x scan_size / 2560 MB."),
            ConfigKey.integer(NUMA_SCAN_PERIOD_MAX_MS, 60000, 1, 1L << 31,
                    "kernel.numa_balancing_scan_period_max_ms: longest time to scan a task's whole address space (divided per pass as for the minimum)."),
            ConfigKey.integer(NUMA_SCAN_SIZE_MB, 256, 1, 1L << 20,
                    "kernel.numa_balancing_scan_size_mb: MiB of populated address space marked for NUMA hinting faults per scan pass."),
            // memory tiering (issue 10)
            ConfigKey.bool(NUMA_DEMOTION_ENABLED, false,
                    "/sys/kernel/mm/numa/demotion_enabled: reclaim on a node with a slower tier below it migrates anonymous pages to that tier (next_demotion_node()) instead of swapping them, and may reclaim anonymous pages without swap; counted as pgdemote_kswapd and pgdemote_direct."),
            ConfigKey.integer(NUMA_PROMOTE_RATE_LIMIT_MBPS, 65536, 0, 1L << 31,
                    "kernel.numa_balancing_promote_rate_limit_MBps: with kernel.numa_balancing=2, most MB of promotion candidates per second and target node (numa_promotion_rate_limit()); also sets how the hot threshold adapts."),
            ConfigKey.integer(NUMA_HOT_THRESHOLD_MS, 1000, 1, 1L << 20,
                    "The hot threshold of memory tiering in simulated ms (Linux's debugfs sched/numa_balancing/hot_threshold_ms): a slow-tier page whose hinting fault comes sooner than this after its scan is a promotion candidate; adjusted between 1/8 and 2 times this every scan_period_max_ms."),
            // KSM (issue 11)
            ConfigKey.integer(KSM_RUN, 0, 0, 1,
                    "/sys/kernel/mm/ksm/run: 1 runs ksmd, which merges identical pages of mergeable areas (with a policy.ksm other than none); 0 stops it."),
            ConfigKey.integer(KSM_PAGES_TO_SCAN, 100, 1, 1L << 24,
                    "/sys/kernel/mm/ksm/pages_to_scan: pages ksmd compares per wake-up (the policy may change it)."),
            ConfigKey.integer(KSM_SLEEP_MILLISECS, 20, 0, Integer.MAX_VALUE,
                    "/sys/kernel/mm/ksm/sleep_millisecs: simulated ms ksmd sleeps between wake-ups (0 counts as 1 ns)."),
            ConfigKey.integer(KSM_MAX_PAGE_SHARING, 256, 2, 1L << 30,
                    "/sys/kernel/mm/ksm/max_page_sharing: most mappings of one KSM page; more pages of equal contents get further KSM pages (dups of a stable node chain)."),
            ConfigKey.bool(KSM_MERGE_ACROSS_NODES, true,
                    "/sys/kernel/mm/ksm/merge_across_nodes: merge pages of different NUMA nodes; false keeps one stable and one unstable tree per node."),
            ConfigKey.bool(KSM_USE_ZERO_PAGES, false,
                    "/sys/kernel/mm/ksm/use_zero_pages: an empty page merges with the zero page (counted in ksm_zero_pages) instead of a KSM page."),
            ConfigKey.bool(KSM_SMART_SCAN, true,
                    "/sys/kernel/mm/ksm/smart_scan: skip pages that did not merge in recent scans (for 1, 2, 4, then 8 scans), as Linux 6.7+."),
            ConfigKey.real(COST_KSM_CHECKSUM, 400.0, 0, 1e12,
                    "Simulated ns of ksmd's checksum of a 4 KiB page (xxhash), also charged per page comparison of a merge; ksmd's own CPU time."),
            // live migration (issue 12)
            ConfigKey.size(MIGRATION_RAM, "256M", 4L << 20, 64L << 30,
                    "The migrating guest's RAM R, in 4 KiB pages (rounded down) (docs/migration.md)."),
            ConfigKey.integer(MIGRATION_DIRTY_RATE_MBPS, 100, 0, 1_000_000,
                    "Dirty rate D of the guest in MB/s (10^6 bytes): it writes one 4 KiB page every 4096 / D us of guest run time."),
            ConfigKey.oneOf(MIGRATION_DIRTY_PATTERN, "uniform", List.of("uniform", "hotset", "sequential"),
                    "Which pages the guest writes: uniformly random over R, uniformly random over a hot set of the first R/10, or sequentially from a random start, wrapping."),
            ConfigKey.integer(MIGRATION_BANDWIDTH_MBPS, 1000, 1, 1_000_000,
                    "Bandwidth B of the migration link in MB/s (10^6 bytes): a 4 KiB page takes 4096 / B us on the wire."),
            ConfigKey.integer(MIGRATION_RTT_US, 100, 0, 10_000_000,
                    "Round-trip time of the migration link in us: a page request reaches the source after half of it, a page the destination after half of it plus its wire time."),
            ConfigKey.integer(MIGRATION_MAX_DOWNTIME_MS, 300, 0, 1_000_000,
                    "Downtime limit in ms (QEMU's downtime-limit, 300 by default): precopy stops the guest and copies the pages still dirty once they take at most this long at bandwidth B; the downtime is their wire time plus one RTT."),
            ConfigKey.integer(MIGRATION_MAX_ROUNDS, 30, 1, 100_000,
                    "Most precopy rounds: a precopy that has not converged after this many gives up (completed false, the guest still on the source); hybrid switches to postcopy instead.")
    );
}
