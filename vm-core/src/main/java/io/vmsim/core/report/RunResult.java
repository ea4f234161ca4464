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
 */
public record RunResult(String workload, Map<String, Long> counters, Map<String, Long> meminfo,
                        Map<String, Long> tlb, long timeNs, long refs, List<PhaseResult> phases,
                        List<NestedWalkRow> nestedWalk, String buddyinfo, Map<String, String> config) {
    public RunResult {
        counters = new LinkedHashMap<>(counters);
        meminfo = new LinkedHashMap<>(meminfo);
        tlb = new LinkedHashMap<>(tlb);
        phases = List.copyOf(phases);
        nestedWalk = List.copyOf(nestedWalk);
        config = new LinkedHashMap<>(config);
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
