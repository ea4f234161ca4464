package io.vmsim.core;

import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.memtier.MemoryTiers;
import io.vmsim.core.topology.NumaTopology;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory tiers and demotion targets against {@code establish_demotion_targets()} and
 * {@code node_is_toptier()} of {@code mm/memory-tiers.c} (Linux 6.18), with a brute-force
 * reference of the preferred targets: the nodes of the next tier down at the least distance.
 */
final class MemoryTiersTest {
    private static NumaTopology topology(String distance, String latency) {
        return NumaTopology.from(TestConfig.of(CoreKeys.MEMORY, "64M", CoreKeys.NODES, "4", CoreKeys.CPUS, "4",
                CoreKeys.NUMA_NODE_MEMORY, "16M,16M,16M,16M", CoreKeys.NUMA_CPUS, "0-1;2-3;;",
                CoreKeys.NUMA_DISTANCE, distance, CoreKeys.NUMA_LATENCY_NS, latency));
    }

    /** The reference: nodes of the next slower tier, those at the least distance from {@code node}. */
    private static int[] nearestOfNextTier(NumaTopology t, int node) {
        int next = Integer.MAX_VALUE;
        for (int m = 0; m < t.nrNodes(); m++) {
            if (t.memoryTier(m) > t.memoryTier(node)) {
                next = Math.min(next, t.memoryTier(m));
            }
        }
        int best = Integer.MAX_VALUE;
        for (int m = 0; m < t.nrNodes(); m++) {
            if (t.memoryTier(m) == next) {
                best = Math.min(best, t.distance(node, m));
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int m = 0; m < t.nrNodes(); m++) {
            if (t.memoryTier(m) == next && t.distance(node, m) == best) {
                out.add(m);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void eachDramNode_demotesToItsNearestSlowNode() {
        // nodes 2 and 3 memory-only, 2 near node 0 and 3 near node 1
        NumaTopology t = topology("10,20,20,30;20,10,30,20;20,30,10,20;30,20,20,10", "auto");
        MemoryTiers tiers = new MemoryTiers(t);
        for (int n = 0; n < 4; n++) {
            assertThat(tiers.preferredTargets(n)).as("node %d", n).containsExactly(n < 2 ? nearestOfNextTier(t, n) : new int[0]);
        }
        assertThat(tiers.preferredTargets(0)).containsExactly(2);
        assertThat(tiers.preferredTargets(1)).containsExactly(3);
        assertThat(tiers.nextDemotionNode(0)).isEqualTo(2);
        assertThat(tiers.nextDemotionNode(2)).as("the slowest tier has no target").isEqualTo(-1);
        assertThat(tiers.isToptier(0)).isTrue();
        assertThat(tiers.isToptier(1)).isTrue();
        assertThat(tiers.isToptier(2)).isFalse();
        assertThat(tiers.isToptier(3)).isFalse();
        assertThat(tiers.lowerTierNodes(0)).containsExactly(2, 3);
    }

    @Test
    void slowNodesAtEqualDistance_areBothPreferred_andPickedAmongOnly() {
        NumaTopology t = topology("10,20,25,25;20,10,25,25;25,25,10,20;25,25,20,10", "auto");
        MemoryTiers tiers = new MemoryTiers(t);
        assertThat(tiers.preferredTargets(0)).containsExactly(nearestOfNextTier(t, 0)).containsExactly(2, 3);
        boolean[] seen = new boolean[4];
        for (int i = 0; i < 200; i++) {
            seen[tiers.nextDemotionNode(0)] = true; // node_random() over the preferred mask
        }
        assertThat(seen).containsExactly(false, false, true, true);
    }

    @Test
    void threeTiers_demoteOneTierAtATime() {
        // node 3 is slower still (600 ns): its abstract distance 576 * 600/90 * 4 = 15360 is another tier than 5376
        NumaTopology t = topology("10,20,20,30;20,10,30,20;20,30,10,20;30,20,20,10", "90,90,210,600");
        MemoryTiers tiers = new MemoryTiers(t);
        assertThat(t.memoryTier(2)).isEqualTo(1);
        assertThat(t.memoryTier(3)).isEqualTo(2);
        assertThat(tiers.preferredTargets(0)).containsExactly(nearestOfNextTier(t, 0)).containsExactly(2);
        assertThat(tiers.preferredTargets(1)).as("the next tier down only, though node 3 is nearer").containsExactly(2);
        assertThat(tiers.preferredTargets(2)).containsExactly(3);
        assertThat(tiers.preferredTargets(3)).isEmpty();
        assertThat(tiers.lowerTierNodes(1)).containsExactly(2, 3);
        assertThat(tiers.lowerTierNodes(2)).containsExactly(3);
    }
}
