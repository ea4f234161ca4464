package io.vmsim.core.mempolicy;

import java.util.Arrays;

/**
 * The system-wide weighted-interleave table, {@code /sys/kernel/mm/mempolicy/weighted_interleave/nodeN}
 * (Linux 6.18; config key {@code mm.mempolicy.weighted_interleave}, one weight per node, node 0
 * first, nodes past the list weighing 1): weights 1..255, default 1 for every node (the kernel's table before any write, or
 * with no bandwidth information from HMAT/CDAT to derive weights from).
 */
public final class InterleaveWeights {
    private final int[] weights = new int[64];

    public InterleaveWeights() {
        Arrays.fill(weights, 1);
    }

    /**
     * Parses the config value: empty, or comma-separated weights for node 0, 1, ...; nodes not
     * named keep weight 1.
     *
     * @throws IllegalArgumentException for a weight outside 1..255 or more than 64 entries
     */
    public static InterleaveWeights parse(String value) {
        InterleaveWeights w = new InterleaveWeights();
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return w;
        }
        String[] parts = v.split(",");
        if (parts.length > 64) {
            throw new IllegalArgumentException("mm.mempolicy.weighted_interleave: at most 64 nodes, got " + parts.length);
        }
        for (int i = 0; i < parts.length; i++) {
            int n;
            try {
                n = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mm.mempolicy.weighted_interleave: node" + i + " weight '" + parts[i].trim()
                        + "' is not a number");
            }
            if (n < 1 || n > 255) {
                throw new IllegalArgumentException("mm.mempolicy.weighted_interleave: node" + i + " weight " + n
                        + " is outside 1..255");
            }
            w.weights[i] = n;
        }
        return w;
    }

    /** {@code get_il_weight(node)}. */
    public int weight(int node) {
        return weights[node];
    }

    /** Writes {@code nodeN} (1..255). */
    public void set(int node, int weight) {
        if (weight < 1 || weight > 255) {
            throw new IllegalArgumentException("weight " + weight + " is outside 1..255");
        }
        weights[node] = weight;
    }
}
