package io.vmsim.core.memtier;

import io.vmsim.core.topology.NumaTopology;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The memory tiers of a machine and their demotion targets, as {@code mm/memory-tiers.c} of Linux
 * 6.18 builds them from the tiers {@link NumaTopology#memoryTier} ranks:
 * <ul>
 *   <li>{@code node_is_toptier()}: a node is in the top tier when its tier is no slower than the
 *       slowest tier holding a node with CPUs ({@code top_tier_adistance}); promotion leads there
 *       and the scanner of tiering mode leaves its pages alone;</li>
 *   <li>{@code establish_demotion_targets()}: a node not in the slowest tier demotes to the next
 *       tier down; its preferred targets are the nodes of that tier that
 *       {@code find_next_best_node()} finds first, all at the same distance
 *       ({@code node_demotion[node].preferred}); {@code lower_tier_mask} holds every node of every
 *       tier below, the fallback when the preferred ones are full;</li>
 *   <li>{@code next_demotion_node()}: one of the preferred targets, picked at random
 *       ({@code node_random()}) from a generator of fixed seed, so runs repeat.</li>
 * </ul>
 */
public final class MemoryTiers {
    /** {@code PENALTY_FOR_NODE_WITH_CPUS} of {@code find_next_best_node()} ({@code mm/page_alloc.c}). */
    static final int PENALTY_FOR_NODE_WITH_CPUS = 1;

    private final int nrNodes;
    private final boolean[] toptier;
    private final int[][] preferred;
    private final int[][] lowerTier;
    private final SplittableRandom random = new SplittableRandom(0x6d656d74L);

    public MemoryTiers(NumaTopology t) {
        this.nrNodes = t.nrNodes();
        int topRank = -1;
        int lastRank = 0;
        for (int n = 0; n < nrNodes; n++) {
            lastRank = Math.max(lastRank, t.memoryTier(n));
            if (t.hasCpus(n)) {
                topRank = Math.max(topRank, t.memoryTier(n));
            }
        }
        this.toptier = new boolean[nrNodes];
        this.preferred = new int[nrNodes][];
        this.lowerTier = new int[nrNodes][];
        for (int n = 0; n < nrNodes; n++) {
            // no node with CPUs (never on a built machine): every node is top tier
            toptier[n] = topRank < 0 || t.memoryTier(n) <= topRank;
            int rank = t.memoryTier(n);
            int next = Integer.MAX_VALUE;
            for (int m = 0; m < nrNodes; m++) {
                if (t.memoryTier(m) > rank) {
                    next = Math.min(next, t.memoryTier(m));
                }
            }
            int[] below = new int[nrNodes];
            int nb = 0;
            for (int m = 0; m < nrNodes; m++) {
                if (t.memoryTier(m) > rank) {
                    below[nb++] = m;
                }
            }
            lowerTier[n] = Arrays.copyOf(below, nb);
            preferred[n] = next == Integer.MAX_VALUE ? new int[0] : bestNodes(t, n, next);
        }
    }

    /** The nodes of tier {@code rank} that find_next_best_node() from {@code node} yields first, at one distance. */
    private int[] bestNodes(NumaTopology t, int node, int rank) {
        boolean[] used = new boolean[nrNodes];
        for (int m = 0; m < nrNodes; m++) {
            used[m] = t.memoryTier(m) != rank; // the skip list: every node outside the tier
        }
        int[] out = new int[nrNodes];
        int n = 0;
        int bestDistance = -1;
        while (true) {
            int target = -1;
            int min = Integer.MAX_VALUE;
            for (int m = 0; m < nrNodes; m++) {
                if (used[m]) {
                    continue;
                }
                int val = t.distance(node, m) + (m < node ? 1 : 0) + (t.hasCpus(m) ? PENALTY_FOR_NODE_WITH_CPUS : 0);
                if (val < min) {
                    min = val;
                    target = m;
                }
            }
            if (target < 0) {
                break;
            }
            used[target] = true;
            int d = t.distance(node, target);
            if (bestDistance != -1 && d != bestDistance) {
                break;
            }
            bestDistance = d;
            out[n++] = target;
        }
        int[] r = Arrays.copyOf(out, n);
        Arrays.sort(r);
        return r;
    }

    public int nrNodes() {
        return nrNodes;
    }

    /** {@code node_is_toptier()}. */
    public boolean isToptier(int node) {
        return toptier[node];
    }

    /** {@code node_demotion[node].preferred}, ascending (a copy); empty for a node of the slowest tier. */
    public int[] preferredTargets(int node) {
        return preferred[node].clone();
    }

    /** {@code lower_tier_mask} of the node's tier: every node of a slower tier, ascending (a copy). */
    public int[] lowerTierNodes(int node) {
        return lowerTier[node].clone();
    }

    /** As {@link #lowerTierNodes}, the array itself (for the reclaim path, which must not allocate); do not modify. */
    int[] lowerTierNodesShared(int node) {
        return lowerTier[node];
    }

    /** True if the node has a demotion target. */
    public boolean hasDemotionTarget(int node) {
        return preferred[node].length > 0;
    }

    /** {@code next_demotion_node()}: a preferred target at random, or -1 (NUMA_NO_NODE). */
    public int nextDemotionNode(int node) {
        int[] p = preferred[node];
        if (p.length == 0) {
            return -1;
        }
        return p.length == 1 ? p[0] : p[random.nextInt(p.length)];
    }
}
