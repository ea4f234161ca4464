package io.vmsim.policies.numa;

import io.vmsim.api.policy.NumaHintFault;
import io.vmsim.api.policy.NumaTaskStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LinuxNumaPolicy} against the rules of {@code should_numa_migrate_memory()} and
 * {@code task_numa_placement()} in Linux 6.18's {@code kernel/sched/fair.c}.
 */
final class LinuxNumaPolicyTest {
    private final LinuxNumaPolicy p = new LinuxNumaPolicy(2);

    /** A task's statistics: preferred node, scan passes, group size, and per-node faults (memory, then CPU). */
    private static NumaTaskStats stats(int preferred, int seq, int groupTasks, long[] mem, long[] cpu) {
        return new NumaTaskStats() {
            public int preferredNode() {
                return preferred;
            }

            public int scanSeq() {
                return seq;
            }

            public int groupTasks() {
                return groupTasks;
            }

            public long faults(int node) {
                return mem[node];
            }

            public long groupFaults(int node) {
                return mem[node];
            }

            public long groupFaultsCpu(int node) {
                return cpu[node];
            }
        };
    }

    /** A fault by a CPU of node {@code local} on a page of {@code page}; {@code lastNode} -1 = cpupid unset. */
    private static NumaHintFault fault(int page, int local, int lastNode, boolean samePid, NumaTaskStats s) {
        return new NumaHintFault() {
            public int pfn() {
                return 7;
            }

            public int pageNode() {
                return page;
            }

            public int cpu() {
                return local;
            }

            public int localNode() {
                return local;
            }

            public boolean lastCpupidUnset() {
                return lastNode < 0;
            }

            public boolean lastPidMatches() {
                return lastNode >= 0 && samePid;
            }

            public int lastNode() {
                return lastNode;
            }

            public boolean shared() {
                return false;
            }

            public NumaTaskStats task() {
                return s;
            }
        };
    }

    private static final long[] NONE = {0, 0};

    @Test
    void localFault_neverMigrates() {
        assertThat(p.hintingFault(null, fault(1, 1, -1, false, stats(-1, 0, 0, NONE, NONE)))).isEqualTo(-1);
    }

    @Test
    void earlyInLife_firstOrPrivateFault_migratesAtOnce() {
        // no preferred node yet, or scan_seq <= 4: cpupid unset or last fault by this task
        assertThat(p.hintingFault(null, fault(0, 1, -1, false, stats(-1, 9, 0, NONE, NONE)))).isEqualTo(1);
        assertThat(p.hintingFault(null, fault(0, 1, 0, true, stats(0, 4, 0, NONE, NONE)))).isEqualTo(1);
    }

    @Test
    void twoStageFilter_needsTheLastFaultFromTheDestinationNode() {
        NumaTaskStats late = stats(0, 5, 0, NONE, NONE);
        // first remote fault after a fault from node 0 (the page's own): no
        assertThat(p.hintingFault(null, fault(0, 1, 0, true, late))).isEqualTo(-1);
        // the second consecutive fault from node 1 by the same task: yes
        assertThat(p.hintingFault(null, fault(0, 1, 1, true, late))).isEqualTo(1);
        // late in life a page never faulted before passes the filter (an unset cpupid names no node)
        // and, a shared fault without a numa group, migrates
        assertThat(p.hintingFault(null, fault(0, 1, -1, false, late))).isEqualTo(1);
    }

    @Test
    void sharedFaultInAGroup_followsTheCpuFaultRules() {
        // group_faults_cpu(dst) > 3 x group_faults_cpu(src): migrate
        assertThat(p.hintingFault(null, fault(0, 1, 1, false, stats(0, 9, 2, new long[] {10, 10}, new long[] {10, 31}))))
                .isEqualTo(1);
        // exactly 3x, and the 3/4 hysteresis: cpu(dst) x mem(src) x 3 > cpu(src) x mem(dst) x 4
        long[] cpu = {10, 30};
        long[] memMoves = {50, 100};   // 30*50*3 = 4500 > 10*100*4 = 4000
        long[] memStays = {40, 100};   // 30*40*3 = 3600 <= 4000
        assertThat(p.hintingFault(null, fault(0, 1, 1, false, stats(0, 9, 2, memMoves, cpu)))).isEqualTo(1);
        assertThat(p.hintingFault(null, fault(0, 1, 1, false, stats(0, 9, 2, memStays, cpu)))).isEqualTo(-1);
    }

    @Test
    void preferredNode_isTheNodeWithMostFaults_orNoneWithoutFaults() {
        assertThat(p.preferredNode(null, stats(-1, 1, 0, new long[] {3, 8}, NONE))).isEqualTo(1);
        assertThat(p.preferredNode(null, stats(-1, 1, 0, new long[] {8, 8}, NONE))).isEqualTo(0);
        assertThat(p.preferredNode(null, stats(-1, 1, 0, NONE, NONE))).isEqualTo(-1);
    }
}
