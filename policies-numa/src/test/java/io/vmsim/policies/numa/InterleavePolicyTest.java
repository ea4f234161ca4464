package io.vmsim.policies.numa;

import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.api.policy.PolicyContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code interleave}: {@code numactl --interleave=all} for every default-policy allocation, so
 * the nodes with memory in turn from the first ({@code interleave_nodes()}: {@code next_node_in()}
 * from {@code il_prev = MAX_NUMNODES - 1}).
 */
final class InterleavePolicyTest {
    /** A context whose machine has nodes of the given frame counts; nothing else may be used. */
    static PolicyContext context(int nodes, int... frames) {
        Topology topo = new Topology() {
            @Override
            public int nrNodes() {
                return nodes;
            }

            @Override
            public int nrCpus() {
                return nodes;
            }

            @Override
            public int nodeOfCpu(int cpu) {
                return cpu;
            }

            @Override
            public int distance(int fromNode, int toNode) {
                return fromNode == toNode ? 10 : 20;
            }

            @Override
            public int nodeFrames(int node) {
                return frames[node];
            }

            @Override
            public long nodeFreeFrames(int node) {
                return frames[node];
            }
        };
        MachineView machine = (MachineView) Proxy.newProxyInstance(MachineView.class.getClassLoader(),
                new Class<?>[] {MachineView.class}, (p, m, a) -> {
                    if (m.getName().equals("topology")) {
                        return topo;
                    }
                    throw new UnsupportedOperationException("machine." + m.getName());
                });
        return (PolicyContext) Proxy.newProxyInstance(PolicyContext.class.getClassLoader(),
                new Class<?>[] {PolicyContext.class}, (p, m, a) -> {
                    if (m.getName().equals("machine")) {
                        return machine;
                    }
                    throw new UnsupportedOperationException("context." + m.getName());
                });
    }

    @Test
    void interleavesOverEveryNodeWithMemory_inTurn_fromTheFirst() {
        // node 2 has no memory (a memory-less node is not in N_MEMORY)
        InterleavePolicy p = (InterleavePolicy) new InterleaveProvider().create(context(4, 100, 100, 0, 100));
        int[] withMemory = {0, 1, 3};
        for (int i = 0; i < 30; i++) {
            // whatever the faulting CPU's node
            assertThat(p.allocationNode(null, null, 0x1000L * i, i % 4)).as("allocation %d", i)
                    .isEqualTo(withMemory[i % withMemory.length]);
        }
        assertThat(p.wantsHintingFaults()).isFalse();
    }

    @Test
    void oneNode_alwaysThatNode() {
        InterleavePolicy p = new InterleavePolicy(context(1, 100).machine().topology());
        for (int i = 0; i < 5; i++) {
            assertThat(p.allocationNode(null, null, 0, 0)).isZero();
        }
    }
}
