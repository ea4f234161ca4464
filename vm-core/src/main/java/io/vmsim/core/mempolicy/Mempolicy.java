package io.vmsim.core.mempolicy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A NUMA memory policy ({@code struct mempolicy}, {@code mm/mempolicy.c}, Linux 6.18): a mode and
 * a node mask, immutable, shared by every task and VMA that holds it. A task or VMA without a
 * policy holds {@code null} ({@code MPOL_DEFAULT}: a VMA then uses its task's policy, a task local
 * allocation).
 *
 * <p>Modes, by their scenario names: {@code default} (none), {@code local} ({@code MPOL_LOCAL}),
 * {@code bind}, {@code preferred}, {@code preferred-many}, {@code interleave} and
 * {@code weighted-interleave}. Node masks are bit sets over at most 64 nodes
 * ({@code machine.nodes} is at most 64).
 *
 * <p>{@code weights}: Linux 6.18 has only the system-wide table of
 * {@code /sys/kernel/mm/mempolicy/weighted_interleave/nodeN}; a weighted-interleave policy may
 * carry weights of its own (parallel to its nodes) which then replace the table's for its nodes.
 * Without them it reads the table ({@link InterleaveWeights}) at each allocation, as Linux does.
 */
public final class Mempolicy {
    /** Mode numbers of {@code include/uapi/linux/mempolicy.h}. */
    public static final int MPOL_DEFAULT = 0;
    public static final int MPOL_PREFERRED = 1;
    public static final int MPOL_BIND = 2;
    public static final int MPOL_INTERLEAVE = 3;
    public static final int MPOL_LOCAL = 4;
    public static final int MPOL_PREFERRED_MANY = 5;
    public static final int MPOL_WEIGHTED_INTERLEAVE = 6;
    /** Every node: no nodemask restricts the allocation. */
    public static final long ALL_NODES = -1L;
    /** The scenario names of the modes, by mode number. */
    public static final List<String> MODE_NAMES = List.of("default", "preferred", "bind", "interleave", "local",
            "preferred-many", "weighted-interleave");

    private final int mode;
    private final long nodes;
    /** Per-node weights of a weighted-interleave policy that carries its own, indexed by node; null otherwise. */
    private final int[] weights;

    private Mempolicy(int mode, long nodes, int[] weights) {
        this.mode = mode;
        this.nodes = nodes;
        this.weights = weights;
    }

    /**
     * {@code mpol_new()} + {@code mpol_set_nodemask()}: the policy for {@code modeName} over
     * {@code nodeList}, or null for {@code default}.
     *
     * @param memoryNodes the nodes with memory ({@code node_states[N_MEMORY]}); the given nodes are
     *                    intersected with them, as with cpuset_current_mems_allowed
     * @param weightList  weights parallel to {@code nodeList} (weighted-interleave only), or empty
     * @throws MempolicyException EINVAL for an unknown mode, a node mask that is empty (or not
     *                            empty for {@code default}/{@code local}), a node out of range or
     *                            a weight outside 1..255
     */
    public static Mempolicy create(String modeName, List<Integer> nodeList, List<Integer> weightList, long memoryNodes) {
        int mode = MODE_NAMES.indexOf(modeName.toLowerCase(Locale.ROOT));
        if (mode < 0) {
            throw new MempolicyException("EINVAL", "unknown mempolicy mode '" + modeName + "'; expected one of "
                    + String.join(", ", MODE_NAMES));
        }
        long mask = 0;
        for (int n : nodeList) {
            if (n < 0 || n >= 64) {
                // get_nodes(): bits past MAX_NUMNODES must be clear
                throw new MempolicyException("EINVAL", "node " + n + " is outside the node mask (0..63)");
            }
            mask |= 1L << n;
        }
        if (!weightList.isEmpty() && (mode != MPOL_WEIGHTED_INTERLEAVE || weightList.size() != nodeList.size())) {
            throw new MempolicyException("EINVAL", "weights are for weighted-interleave, one per node in 'nodes'");
        }
        if (mode == MPOL_DEFAULT) {
            if (mask != 0) {
                throw new MempolicyException("EINVAL", "mode default takes no nodes");
            }
            return null;
        }
        if (mode == MPOL_PREFERRED && mask == 0) {
            mode = MPOL_LOCAL; // mpol_new(): preferred with an empty mask is local allocation
        } else if (mode == MPOL_LOCAL) {
            if (mask != 0) {
                throw new MempolicyException("EINVAL", "mode local takes no nodes");
            }
            return new Mempolicy(MPOL_LOCAL, 0, null);
        } else if (mask == 0) {
            throw new MempolicyException("EINVAL", "mode " + MODE_NAMES.get(mode) + " needs a non-empty node mask");
        }
        if (mode == MPOL_LOCAL) {
            return new Mempolicy(MPOL_LOCAL, 0, null);
        }
        // mpol_set_nodemask(): only nodes with memory; the create op refuses what is left empty
        long allowed = mask & memoryNodes;
        if (allowed == 0) {
            throw new MempolicyException("EINVAL", "none of nodes " + nodeList + " has memory");
        }
        if (mode == MPOL_PREFERRED) {
            allowed = Long.lowestOneBit(allowed); // mpol_new_preferred(): the first node only
        }
        int[] w = null;
        if (!weightList.isEmpty()) {
            w = new int[64];
            Arrays.fill(w, 1);
            for (int i = 0; i < nodeList.size(); i++) {
                int wt = weightList.get(i);
                if (wt < 1 || wt > 255) {
                    throw new MempolicyException("EINVAL", "weight " + wt + " of node " + nodeList.get(i)
                            + " is outside 1..255");
                }
                w[nodeList.get(i)] = wt;
            }
        }
        return new Mempolicy(mode, allowed, w);
    }

    /** A policy of {@code mode} over {@code nodes} without validation (tests, and the kernel's own). */
    public static Mempolicy of(int mode, long nodes) {
        return new Mempolicy(mode, nodes, null);
    }

    public int mode() {
        return mode;
    }

    /** The node mask ({@code pol->nodes}); 0 for local. */
    public long nodes() {
        return nodes;
    }

    /** The scenario name of the mode. */
    public String modeName() {
        return MODE_NAMES.get(mode);
    }

    /** The weight of {@code node}: the policy's own, else the system table's ({@code get_il_weight()}). */
    int weight(int node, InterleaveWeights table) {
        return weights != null ? weights[node] : table.weight(node);
    }

    /**
     * {@code mpol_equal()}: same mode and nodes (and weights), so two adjacent VMAs holding them
     * may merge. Null is the default policy.
     */
    public static boolean equal(Mempolicy a, Mempolicy b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        return a.mode == b.mode && a.nodes == b.nodes && Arrays.equals(a.weights, b.weights);
    }

    /** The nodes of a mask, ascending. */
    public static String describe(long mask) {
        StringBuilder sb = new StringBuilder();
        for (long m = mask; m != 0; m &= m - 1) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(Long.numberOfTrailingZeros(m));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return modeName() + (nodes == 0 ? "" : ":" + describe(nodes));
    }
}
