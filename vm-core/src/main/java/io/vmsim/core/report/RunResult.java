package io.vmsim.core.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run reports. Maps keep insertion order, which is the order output prints.
 *
 * @param workload    what ran: {@code scenario:NAME} or {@code trace:PATH}
 * @param counters    {@code /proc/vmstat} counters by Linux name
 * @param meminfo     {@code /proc/meminfo} fields by Linux name, in kB (HugePages_* as counts)
 * @param tlb         TLB statistics: {@code l1_misses}, {@code stlb_misses}, {@code walk_refs}, ...
 * @param timeNs      simulated time of the whole run
 * @param refs        memory references replayed
 * @param phases      one entry per scenario phase, in order (a trace replay is one phase)
 * @param nestedWalk  rows of the nested-walk measurement, or an empty list
 * @param buddyinfo   {@code /proc/buddyinfo} at the end of the run
 * @param config      the effective configuration, key to value
 * @param files       page-cache figures of each file, in declaration order (reclaim, issue 3)
 * @param oomKills    what the OOM killer killed, one line each, in order (reclaim, issue 3)
 * @param cgroups     each memory cgroup's memory.* figures, by name (reclaim, issue 3)
 * @param interrupted the user stopped the run (SIGINT) before its end: the figures are partial
 * @param warnings    what the user should know about how to read the figures, one sentence each
 * @param numa        per-node figures of a machine of more than one node, in node order; empty on one node (issue 10)
 * @param ksm         the counters of {@code /sys/kernel/mm/ksm} when ksmd ran, else null (KSM, issue 11)
 * @param migration   what a {@code migrate} phase did, or null when the run had none (live migration, issue 12)
 */
public record RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                        Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                        List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                        List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups,
                        boolean interrupted, List<String> warnings, List<NumaNode> numa, KsmResult ksm,
                        MigrationResult migration) {
    public RunResult {
        numa = List.copyOf(numa);
        counters = new LinkedHashMap<>(counters);
        meminfo = new LinkedHashMap<>(meminfo);
        tlb = new LinkedHashMap<>(tlb);
        phases = List.copyOf(phases);
        nestedWalk = List.copyOf(nestedWalk);
        config = new LinkedHashMap<>(config);
        files = List.copyOf(files);
        oomKills = List.copyOf(oomKills);
        cgroups = new LinkedHashMap<>(cgroups);
        warnings = List.copyOf(warnings);
    }

    /** A result without a migration. */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                     List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups,
                     boolean interrupted, List<String> warnings, List<NumaNode> numa, KsmResult ksm) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files, oomKills, cgroups,
                interrupted, warnings, numa, ksm, null);
    }

    /** This result with {@code m} as its migration section. */
    /** This result with {@code warning} added after its warnings. */
    public RunResult withWarning(String warning) {
        List<String> w = new java.util.ArrayList<>(warnings);
        w.add(warning);
        return new RunResult(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files,
                oomKills, cgroups, interrupted, w, numa, ksm, migration);
    }

    public RunResult withMigration(MigrationResult m) {
        return new RunResult(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files,
                oomKills, cgroups, interrupted, warnings, numa, ksm, m);
    }

    /**
     * What a live migration did (issue 12; docs/migration.md).
     *
     * @param mode          {@code precopy}, {@code postcopy} or {@code hybrid}
     * @param policy        the migration policy's name
     * @param completed     the guest runs on the destination with all its pages there
     * @param outcome       how it ended: {@code converged} (precopy's stop-and-copy), {@code postcopy},
     *                      {@code max_rounds} (precopy gave up) or {@code stalled} (postcopy's policy left pages unsent)
     * @param totalTimeNs   from the start of the migration to its end (or to giving up)
     * @param downtimeNs    the time the guest ran nowhere: the stop-and-copy and the switch
     * @param rounds        precopy rounds run (the stop-and-copy not counted)
     * @param roundPages    pages sent in each precopy round, in order
     * @param stopCopyPages pages sent while the guest was stopped
     * @param postcopyPages pages sent after the switch to postcopy
     * @param pagesSent     every page put on the link
     * @param remoteFaults  the guest's userfaultfd faults on the destination (each a page request)
     * @param latencyP50Ns  the median remote-fault wait (HdrHistogram, 4 significant digits), 0 when none
     * @param latencyP99Ns  its 99th percentile (HdrHistogram)
     * @param latencyMaxNs  the longest wait, exact
     */
    public record MigrationResult(String mode, String policy, boolean completed, String outcome, long totalTimeNs,
                                  long downtimeNs, int rounds, List<Long> roundPages, long stopCopyPages,
                                  long postcopyPages, long pagesSent, long remoteFaults, long latencyP50Ns,
                                  long latencyP99Ns, long latencyMaxNs) {
        public MigrationResult {
            roundPages = List.copyOf(roundPages);
        }

        /** Bytes put on the link: 4 KiB a page. */
        public long bytesSent() {
            return pagesSent * 4096;
        }
    }

    /** A result without per-node figures (one node), with ksmd's counters or null (KSM, issue 11). */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                     List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups,
                     boolean interrupted, List<String> warnings, KsmResult ksm) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files, oomKills, cgroups,
                interrupted, warnings, List.of(), ksm);
    }

    /** A result of a run without ksmd, with per-node figures (issue 10). */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                     List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups,
                     boolean interrupted, List<String> warnings, List<NumaNode> numa) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files, oomKills, cgroups,
                interrupted, warnings, numa, null);
    }

    /** A result without per-node figures (one node), of a run without ksmd. */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                     List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups,
                     boolean interrupted, List<String> warnings) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files, oomKills, cgroups,
                interrupted, warnings, List.of(), null);
    }

    /**
     * What ksmd did (KSM, issue 11).
     *
     * @param counters      {@code /sys/kernel/mm/ksm} counters by their sysfs names, in ksm.rst's order
     * @param fullScanEndNs the simulated time at which each full scan ended, in order
     */
    public record KsmResult(Map<String, Long> counters, List<Long> fullScanEndNs) {
        public KsmResult {
            counters = new LinkedHashMap<>(counters);
            fullScanEndNs = List.copyOf(fullScanEndNs);
        }
    }

    /** The vmstat counters of the NUMA section: every name starting with one of these. */
    public static final List<String> NUMA_COUNTER_PREFIXES = List.of("numa_", "pgmigrate_", "pgpromote_", "pgdemote_");

    /**
     * One node's figures at the end of a run (issue 10).
     *
     * @param node           the node id
     * @param localAccesses  references to the node's memory from CPUs on the node
     * @param remoteAccesses references to the node's memory from CPUs on other nodes
     * @param anonPages      anonymous frames of the node in use (4 KiB units; a THP counts 512)
     * @param filePages      page-cache frames of the node in use
     */
    public record NumaNode(int node, long localAccesses, long remoteAccesses, long anonPages, long filePages) {
    }

    /** The fraction of all references that were local, over every node, or 1 when there were none. */
    public double localAccessRatio() {
        long local = 0;
        long all = 0;
        for (NumaNode n : numa) {
            local += n.localAccesses();
            all += n.localAccesses() + n.remoteAccesses();
        }
        return all == 0 ? 1.0 : (double) local / all;
    }

    /** The vmstat counters whose names start with {@link #NUMA_COUNTER_PREFIXES}, in counter order. */
    public Map<String, Long> numaCounters() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            for (String p : NUMA_COUNTER_PREFIXES) {
                if (e.getKey().startsWith(p)) {
                    out.put(e.getKey(), e.getValue());
                    break;
                }
            }
        }
        return out;
    }

    /** A result without warnings. */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                     List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups,
                     boolean interrupted) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files, oomKills, cgroups,
                interrupted, List.of());
    }

    /** Counters of pages reclaim scanned or took, kswapd's and direct (memory cgroup limits included). */
    private static final List<String> RECLAIM_COUNTERS = List.of("pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
            "pgsteal_direct");

    /**
     * Whether reclaim ever ran: kswapd, direct reclaim or a memory cgroup's limit scanned or
     * took a page. When false, memory held the whole footprint and the reclaim policy chose no
     * victim, so the run says nothing about it.
     */
    public boolean reclaimRan() {
        for (String c : RECLAIM_COUNTERS) {
            if (counters.getOrDefault(c, 0L) != 0) {
                return true;
            }
        }
        for (Map<String, Long> cg : cgroups.values()) {
            if (cg.getOrDefault("pgscan", 0L) != 0 || cg.getOrDefault("pgsteal", 0L) != 0) {
                return true;
            }
        }
        return false;
    }

    /** A result of a run that was not interrupted. */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config,
                     List<FileResult> files, List<String> oomKills, Map<String, Map<String, Long>> cgroups) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, files, oomKills, cgroups,
                false);
    }

    /** A result without files or OOM kills. */
    public RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                     Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                     List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config) {
        this(workload, counters, meminfo, tlb, timeNs, refs, phases, nestedWalk, buddyinfo, config, List.of(), List.of(),
                Map.of());
    }

    /**
     * Page-cache figures of one file (the {@code workingset} scenario's hot-set hit ratio).
     *
     * @param name      the file's name
     * @param pages     its size in pages
     * @param reads     pages read with read()
     * @param writes    pages written with write()
     * @param hits      lookups (reads and faults) that found the page cached
     * @param misses    lookups that read it from storage
     * @param coldMisses misses of pages never cached before (no shadow entry in the slot)
     * @param refaults  misses whose slot held a shadow entry (evicted earlier)
     * @param readahead pages read ahead of use
     * @param resident  pages cached at the end of the run
     */
    public record FileResult(String name, long pages, long reads, long writes, long hits, long misses, long coldMisses,
                             long refaults, long readahead, long resident) {
        /** hits / (hits + misses), or 0. */
        public double hitRatio() {
            return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
        }

        /** Hit ratio leaving out cold misses (first touches): hits / (hits + misses - coldMisses), or 0. */
        public double warmHitRatio() {
            long n = hits + misses - coldMisses;
            return n == 0 ? 0 : (double) hits / n;
        }
    }

    /**
     * One phase.
     *
     * @param name   the phase's name
     * @param timeNs simulated time the phase took
     * @param refs   memory references it made
     */
    public record PhaseResult(String name, long timeNs, long refs) {
    }

    /**
     * One row of the nested-walk table.
     *
     * @param mode      {@code native} or {@code nested}
     * @param levels    page-table levels (4 or 5)
     * @param guestPage the page size of the (guest) mapping: 4K, 2M or 1G
     * @param hostPage  the host (EPT/NPT) page size, or null for native rows
     * @param walkRefs  memory references of one walk with cold walk caches
     */
    public record NestedWalkRow(String mode, int levels, String guestPage, String hostPage, long walkRefs) {
    }
}
