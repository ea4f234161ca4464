package io.vmsim.core.topology;

import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.config.Sizes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The machine's NUMA topology, from the {@code machine.numa.*} keys: memory per node, the CPUs
 * of each node (a node may have none: a memory-only node, as a CXL memory expander is), the
 * ACPI SLIT distance table ({@code node_distance()}, {@code include/linux/topology.h}) and each
 * node's access latency and bandwidth, with what the cost model and the memory tiers derive
 * from them. Immutable; the tables read per reference are flat primitive arrays.
 *
 * <p>The cost of a reference that misses the CPU caches (docs/numa.md, "Cost model"): a CPU on
 * node C reading memory of node N waits {@code L(C,N) = latency_ns[N] * distance(C,N) / dmin(N)},
 * where {@code dmin(N)} is the distance from N to its nearest node with CPUs (10 when N has CPUs
 * itself), so {@code latency_ns[N]} is the latency seen from N's nearest CPUs and the SLIT scales
 * it for the others, as ACPI defines SLIT entries as relative latencies. The reference is charged
 * {@code cost.cache_miss_ns * L(C,N) / L(C,home)} when a local miss cost is configured, and
 * {@code L(C,N) - L(C,home)} when it is 0 ({@link #remoteMissSurplusPs}), so a one-node machine
 * costs what it did before.
 */
public final class NumaTopology {
    /** {@code LOCAL_DISTANCE} ({@code include/linux/topology.h}). */
    public static final int LOCAL_DISTANCE = 10;
    /** {@code REMOTE_DISTANCE}: the distance Linux assumes between nodes without a SLIT. */
    public static final int REMOTE_DISTANCE = 20;
    /** SLIT entries above this mean "unreachable" (0xFF). */
    public static final int MAX_DISTANCE = 254;
    /** Default latency of a node with CPUs, ns (docs/numa.md). */
    public static final double DRAM_LATENCY_NS = 90;
    /** Default latency of a memory-only node, ns (docs/numa.md). */
    public static final double CXL_LATENCY_NS = 210;
    /** Default bandwidth of a node with CPUs, MB/s (docs/numa.md). */
    public static final double DRAM_BANDWIDTH_MBPS = 100_000;
    /** Default bandwidth of a memory-only node, MB/s (docs/numa.md). */
    public static final double CXL_BANDWIDTH_MBPS = 25_000;
    /** {@code MEMTIER_CHUNK_BITS} ({@code include/linux/memory-tiers.h}). */
    public static final int MEMTIER_CHUNK_BITS = 7;
    /** {@code MEMTIER_ADISTANCE_DRAM}: the abstract distance of the DRAM tier. */
    public static final int MEMTIER_ADISTANCE_DRAM = (4 * (1 << MEMTIER_CHUNK_BITS)) + ((1 << MEMTIER_CHUNK_BITS) >> 1);

    /** Word of the default of {@code node_memory} and {@code cpus}. */
    public static final String EVEN = "even";
    /** Word of the default of {@code distance}, {@code latency_ns} and {@code bandwidth_mbps}. */
    public static final String AUTO = "auto";

    /** Nodes start on MAX_ORDER boundaries (4 MiB) so buddy blocks never straddle two nodes. */
    public static final int NODE_ALIGN_FRAMES = 1 << 10;

    private final int nrNodes;
    private final int nrCpus;
    private final long[] nodeFrames;
    private final int[] cpuNode;
    private final int[][] nodeCpus;
    private final int[] distance;
    private final double[] latencyNs;
    private final double[] bandwidthMbps;
    private final double[] accessNs;
    private final int[] abstractDistance;
    private final int[] memoryTier;

    private NumaTopology(long[] nodeFrames, int[] cpuNode, int[] distance, double[] latencyNs, double[] bandwidthMbps) {
        this.nrNodes = nodeFrames.length;
        this.nrCpus = cpuNode.length;
        this.nodeFrames = nodeFrames;
        this.cpuNode = cpuNode;
        this.distance = distance;
        this.latencyNs = latencyNs;
        this.bandwidthMbps = bandwidthMbps;
        this.nodeCpus = new int[nrNodes][];
        for (int n = 0; n < nrNodes; n++) {
            int count = 0;
            for (int c : cpuNode) {
                count += c == n ? 1 : 0;
            }
            int[] cs = new int[count];
            int i = 0;
            for (int cpu = 0; cpu < cpuNode.length; cpu++) {
                if (cpuNode[cpu] == n) {
                    cs[i++] = cpu;
                }
            }
            nodeCpus[n] = cs;
        }
        this.accessNs = new double[nrNodes * nrNodes];
        for (int c = 0; c < nrNodes; c++) {
            for (int n = 0; n < nrNodes; n++) {
                accessNs[c * nrNodes + n] = latencyNs[n] * distance(c, n) / nearestCpuDistance(n);
            }
        }
        this.abstractDistance = new int[nrNodes];
        this.memoryTier = new int[nrNodes];
        tiers();
    }

    /**
     * The topology the configuration describes.
     *
     * @throws ConfigException listing every problem, one sentence each naming the key and value
     */
    public static NumaTopology from(CoreConfig config) {
        int nodes = config.getInt(CoreKeys.NODES);
        int cpus = config.getInt(CoreKeys.CPUS);
        long memory = config.getLong(CoreKeys.MEMORY);
        List<String> problems = new ArrayList<>();
        long[] frames = nodeFrames(config.getString(CoreKeys.NUMA_NODE_MEMORY), nodes, memory, problems);
        int[] cpuNode = cpus(config.getString(CoreKeys.NUMA_CPUS), nodes, cpus, problems);
        int[] dist = distances(config.getString(CoreKeys.NUMA_DISTANCE), nodes, problems);
        double[] lat = perNode(CoreKeys.NUMA_LATENCY_NS, config.getString(CoreKeys.NUMA_LATENCY_NS), nodes, cpuNode,
                DRAM_LATENCY_NS, CXL_LATENCY_NS, problems);
        double[] bw = perNode(CoreKeys.NUMA_BANDWIDTH_MBPS, config.getString(CoreKeys.NUMA_BANDWIDTH_MBPS), nodes, cpuNode,
                DRAM_BANDWIDTH_MBPS, CXL_BANDWIDTH_MBPS, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new NumaTopology(frames, cpuNode, dist, lat, bw);
    }

    /**
     * The default topology: {@code frames} split evenly over {@code nodes}, CPUs spread evenly,
     * distances 10/20 and the default latency and bandwidth (tests and machines built without a
     * configuration).
     */
    public static NumaTopology even(long frames, int nodes, int cpus) {
        List<String> problems = new ArrayList<>();
        int[] cpuNode = evenCpus(nodes, cpus);
        double[] lat = perNode("", AUTO, nodes, cpuNode, DRAM_LATENCY_NS, CXL_LATENCY_NS, problems);
        double[] bw = perNode("", AUTO, nodes, cpuNode, DRAM_BANDWIDTH_MBPS, CXL_BANDWIDTH_MBPS, problems);
        return new NumaTopology(evenFrames(frames, nodes), cpuNode, distances(AUTO, nodes, problems), lat, bw);
    }

    // ---------------------------------------------------------------- parsing

    private static String head(String key, String value) {
        return "'" + key + "' = '" + value + "': ";
    }

    private static long[] evenFrames(long frames, int nodes) {
        // as before topologies were configurable: equal nodes aligned to 4 MiB, the last takes the rest
        long per = (frames / nodes) & -NODE_ALIGN_FRAMES;
        long[] out = new long[nodes];
        for (int i = 0; i < nodes; i++) {
            out[i] = i + 1 < nodes ? per : frames - per * (nodes - 1);
        }
        return out;
    }

    private static long[] nodeFrames(String value, int nodes, long memory, List<String> problems) {
        if (value.trim().equals(EVEN)) {
            if (((memory >>> 12) / nodes & -NODE_ALIGN_FRAMES) == 0) {
                problems.add(head(CoreKeys.NODES, Integer.toString(nodes)) + CoreKeys.MEMORY + " = " + Sizes.format(memory)
                        + " gives each node less than 4M; use fewer nodes or more memory");
            }
            return evenFrames(memory >>> 12, nodes);
        }
        String key = CoreKeys.NUMA_NODE_MEMORY;
        String[] parts = value.split(",", -1);
        if (parts.length != nodes) {
            problems.add(head(key, value) + parts.length + " sizes for " + CoreKeys.NODES + " = " + nodes
                    + " nodes; give one size per node (e.g. 4G,4G) or 'even'");
            return evenFrames(memory >>> 12, nodes);
        }
        long[] out = new long[nodes];
        long sum = 0;
        for (int i = 0; i < nodes; i++) {
            long bytes;
            try {
                bytes = Sizes.parse(parts[i]);
            } catch (NumberFormatException e) {
                problems.add(head(key, value) + "node " + i + "'s size '" + parts[i].trim() + "' is not a size (e.g. 4096, 64K, 2M, 16G)");
                return evenFrames(memory >>> 12, nodes);
            }
            if (bytes < 4L << 20 || bytes % (4L << 20) != 0) {
                problems.add(head(key, value) + "node " + i + "'s size " + parts[i].trim()
                        + " must be a positive multiple of 4M (a MAX_ORDER block, so no buddy block straddles two nodes)");
                return evenFrames(memory >>> 12, nodes);
            }
            out[i] = bytes >>> 12;
            sum += bytes;
        }
        if (sum != memory) {
            problems.add(head(key, value) + "the nodes add up to " + Sizes.format(sum) + " but " + CoreKeys.MEMORY
                    + " is " + Sizes.format(memory) + "; set " + CoreKeys.MEMORY + " = " + Sizes.format(sum));
        }
        return out;
    }

    private static int[] evenCpus(int nodes, int cpus) {
        // CPUs spread evenly in blocks: ceil(cpus / nodes) per node, as before
        int per = Math.max(1, (cpus + nodes - 1) / nodes);
        int[] out = new int[cpus];
        for (int cpu = 0; cpu < cpus; cpu++) {
            out[cpu] = Math.min(nodes - 1, cpu / per);
        }
        return out;
    }

    private static int[] cpus(String value, int nodes, int cpus, List<String> problems) {
        if (value.trim().equals(EVEN)) {
            return evenCpus(nodes, cpus);
        }
        String key = CoreKeys.NUMA_CPUS;
        String[] entries = value.split(";", -1);
        if (entries.length != nodes) {
            problems.add(head(key, value) + entries.length + " CPU lists for " + CoreKeys.NODES + " = " + nodes
                    + " nodes; give one list per node separated by ';' (an empty list is a memory-only node), or 'even'");
            return evenCpus(nodes, cpus);
        }
        int[] out = new int[cpus];
        Arrays.fill(out, -1);
        for (int n = 0; n < nodes; n++) {
            String e = entries[n].trim();
            if (e.isEmpty()) {
                continue;
            }
            for (String r : e.split(",")) {
                String[] ends = r.trim().split("-", -1);
                int lo;
                int hi;
                try {
                    lo = Integer.parseInt(ends[0].trim());
                    hi = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : lo;
                    if (ends.length > 2) {
                        throw new NumberFormatException(r);
                    }
                } catch (NumberFormatException ex) {
                    problems.add(head(key, value) + "node " + n + "'s '" + r.trim() + "' is not a CPU or a range of CPUs (e.g. 0-3,8)");
                    return evenCpus(nodes, cpus);
                }
                if (lo < 0 || hi >= cpus || lo > hi) {
                    problems.add(head(key, value) + "node " + n + "'s '" + r.trim() + "' names CPUs outside 0-" + (cpus - 1)
                            + " (" + CoreKeys.CPUS + " = " + cpus + ")");
                    return evenCpus(nodes, cpus);
                }
                for (int cpu = lo; cpu <= hi; cpu++) {
                    if (out[cpu] >= 0) {
                        problems.add(head(key, value) + "CPU " + cpu + " is on both node " + out[cpu] + " and node " + n);
                        return evenCpus(nodes, cpus);
                    }
                    out[cpu] = n;
                }
            }
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            if (out[cpu] < 0) {
                problems.add(head(key, value) + "CPU " + cpu + " is on no node; every CPU of " + CoreKeys.CPUS + " = " + cpus
                        + " belongs to exactly one node");
                return evenCpus(nodes, cpus);
            }
        }
        return out;
    }

    private static int[] distances(String value, int nodes, List<String> problems) {
        int[] out = new int[nodes * nodes];
        for (int i = 0; i < nodes; i++) {
            for (int j = 0; j < nodes; j++) {
                out[i * nodes + j] = i == j ? LOCAL_DISTANCE : REMOTE_DISTANCE;
            }
        }
        if (value.trim().equals(AUTO)) {
            return out;
        }
        String key = CoreKeys.NUMA_DISTANCE;
        String[] rows = value.split(";", -1);
        if (rows.length != nodes) {
            problems.add(head(key, value) + rows.length + " rows for " + CoreKeys.NODES + " = " + nodes
                    + " nodes; give the SLIT as one row per node separated by ';' (e.g. 10,20;20,10), or 'auto'");
            return out;
        }
        int[] parsed = new int[nodes * nodes];
        for (int i = 0; i < nodes; i++) {
            String[] cells = rows[i].split(",", -1);
            if (cells.length != nodes) {
                problems.add(head(key, value) + "row " + i + " has " + cells.length + " entries, not " + nodes);
                return out;
            }
            for (int j = 0; j < nodes; j++) {
                int d;
                try {
                    d = Integer.parseInt(cells[j].trim());
                } catch (NumberFormatException e) {
                    problems.add(head(key, value) + "entry (" + i + "," + j + ") '" + cells[j].trim() + "' is not an integer");
                    return out;
                }
                if (i == j && d != LOCAL_DISTANCE) {
                    problems.add(head(key, value) + "entry (" + i + "," + i + ") is " + d
                            + "; a node's distance to itself is 10 (ACPI SLIT, LOCAL_DISTANCE)");
                    return out;
                }
                if (i != j && (d <= LOCAL_DISTANCE || d > MAX_DISTANCE)) {
                    problems.add(head(key, value) + "entry (" + i + "," + j + ") is " + d
                            + "; a distance between two nodes is in 11..254 (ACPI SLIT: 10 is local, 255 unreachable)");
                    return out;
                }
                parsed[i * nodes + j] = d;
            }
        }
        return parsed;
    }

    private static double[] perNode(String key, String value, int nodes, int[] cpuNode, double withCpus, double memoryOnly,
                                    List<String> problems) {
        double[] out = new double[nodes];
        for (int n = 0; n < nodes; n++) {
            boolean hasCpus = false;
            for (int c : cpuNode) {
                hasCpus |= c == n;
            }
            out[n] = hasCpus ? withCpus : memoryOnly;
        }
        if (value.trim().equals(AUTO)) {
            return out;
        }
        String[] parts = value.split(",", -1);
        if (parts.length != nodes) {
            problems.add(head(key, value) + parts.length + " values for " + CoreKeys.NODES + " = " + nodes
                    + " nodes; give one per node separated by ',', or 'auto'");
            return out;
        }
        double[] parsed = new double[nodes];
        for (int n = 0; n < nodes; n++) {
            double v;
            try {
                v = Double.parseDouble(parts[n].trim());
            } catch (NumberFormatException e) {
                problems.add(head(key, value) + "node " + n + "'s '" + parts[n].trim() + "' is not a number");
                return out;
            }
            if (!(v > 0) || Double.isInfinite(v)) {
                problems.add(head(key, value) + "node " + n + "'s " + parts[n].trim() + " must be a positive number");
                return out;
            }
            parsed[n] = v;
        }
        return parsed;
    }

    // ---------------------------------------------------------------- derived

    private int nearestCpuDistance(int node) {
        int best = Integer.MAX_VALUE;
        for (int c = 0; c < nrNodes; c++) {
            if (nodeCpus[c].length > 0) {
                best = Math.min(best, distance(c, node));
            }
        }
        return best == Integer.MAX_VALUE ? LOCAL_DISTANCE : best;
    }

    /**
     * Memory tiers as {@code mm/memory-tiers.c} forms them (Linux 6.18): a node with CPUs is in the
     * DRAM tier ({@code MEMTIER_ADISTANCE_DRAM}); a memory-only node gets the abstract distance
     * {@code mt_perf_to_adistance()} computes from its performance against the DRAM nodes',
     * {@code adist = MEMTIER_ADISTANCE_DRAM * latency / dram_latency * dram_bandwidth / bandwidth};
     * nodes whose abstract distances fall in the same chunk of {@code 2^MEMTIER_CHUNK_BITS} share a
     * tier. Tiers are ranked from 0, the fastest.
     */
    private void tiers() {
        int dram = -1;
        for (int n = 0; n < nrNodes && dram < 0; n++) {
            if (nodeCpus[n].length > 0) {
                dram = n; // the first node with CPUs sets default_dram_perf (mt_set_default_dram_perf)
            }
        }
        for (int n = 0; n < nrNodes; n++) {
            if (dram < 0 || nodeCpus[n].length > 0) {
                abstractDistance[n] = MEMTIER_ADISTANCE_DRAM;
            } else {
                double a = MEMTIER_ADISTANCE_DRAM * (latencyNs[n] / latencyNs[dram]) * (bandwidthMbps[dram] / bandwidthMbps[n]);
                abstractDistance[n] = (int) Math.min(Integer.MAX_VALUE, Math.round(a));
            }
        }
        int[] chunks = new int[nrNodes];
        for (int n = 0; n < nrNodes; n++) {
            chunks[n] = abstractDistance[n] >> MEMTIER_CHUNK_BITS;
        }
        int[] sorted = Arrays.stream(chunks).distinct().sorted().toArray();
        for (int n = 0; n < nrNodes; n++) {
            memoryTier[n] = Arrays.binarySearch(sorted, chunks[n]);
        }
    }

    // ---------------------------------------------------------------- queries

    public int nrNodes() {
        return nrNodes;
    }

    public int nrCpus() {
        return nrCpus;
    }

    /** Frames of each node, in node order. */
    public long nodeFrames(int node) {
        return nodeFrames[node];
    }

    /** The first PFN of each node: nodes are laid out one after another from PFN 0. */
    public int[] nodeStartPfns() {
        int[] starts = new int[nrNodes];
        long pfn = 0;
        for (int n = 0; n < nrNodes; n++) {
            starts[n] = (int) pfn;
            pfn += nodeFrames[n];
        }
        return starts;
    }

    /** Total frames. */
    public long totalFrames() {
        long sum = 0;
        for (long f : nodeFrames) {
            sum += f;
        }
        return sum;
    }

    /** {@code cpu_to_node()}. */
    public int nodeOfCpu(int cpu) {
        return cpuNode[cpu];
    }

    /** {@code cpumask_of_node()}: the CPUs of a node, ascending (a copy). */
    public int[] cpusOfNode(int node) {
        return nodeCpus[node].clone();
    }

    /** Whether the node has CPUs ({@code N_CPU}); a memory-only node has none. */
    public boolean hasCpus(int node) {
        return nodeCpus[node].length > 0;
    }

    /** {@code node_distance()}: the SLIT entry. */
    public int distance(int from, int to) {
        return distance[from * nrNodes + to];
    }

    /** {@code machine.numa.latency_ns} of a node: its latency from its nearest CPUs. */
    public double latencyNs(int node) {
        return latencyNs[node];
    }

    /** {@code machine.numa.bandwidth_mbps} of a node. */
    public double bandwidthMbps(int node) {
        return bandwidthMbps[node];
    }

    /**
     * {@code L(C,N)}: ns a CPU on {@code cpuNode} waits for a cache line of {@code memNode}:
     * {@code latency_ns[N] * distance(C,N) / dmin(N)}.
     */
    public double accessLatencyNs(int cpuNode, int memNode) {
        return accessNs[cpuNode * nrNodes + memNode];
    }

    /** The abstract distance of a node ({@code mm/memory-tiers.c}); the DRAM tier's is {@link #MEMTIER_ADISTANCE_DRAM}. */
    public int abstractDistance(int node) {
        return abstractDistance[node];
    }

    /** The rank of the node's memory tier, 0 for the fastest (the DRAM tier when a node has CPUs). */
    public int memoryTier(int node) {
        return memoryTier[node];
    }

    /**
     * What a cache-missing reference from a CPU on node C to memory on node N costs beyond a
     * local one, in ps, as a flat table indexed {@code C * nrNodes + N} for the reference path:
     * {@code (L(C,N) - L(C,home)) * s}, where {@code s = localMissPs / (latency_ns[home] * 1000)}
     * when a local miss cost is configured, so that a remote miss costs
     * {@code localMiss * L(C,N) / L(C,home)} (the latencies read as ratios to the calibrated local
     * miss), and {@code s = 1} when it is 0 (misses not modelled: a local miss costs nothing and a
     * remote one the difference of the latencies). All zeros on one node.
     *
     * @param localMissPs {@code cost.cache_miss_ns} in ps
     */
    public long[] remoteMissSurplusPs(long localMissPs) {
        long[] out = new long[nrNodes * nrNodes];
        for (int c = 0; c < nrNodes; c++) {
            double home = accessLatencyNs(c, c);
            double scale = localMissPs > 0 ? localMissPs / (home * 1000.0) : 1.0;
            for (int n = 0; n < nrNodes; n++) {
                out[c * nrNodes + n] = Math.round((accessLatencyNs(c, n) - home) * 1000.0 * scale);
            }
        }
        return out;
    }

    /**
     * The scale of a page-sized transfer (clearing or copying a 4 KiB page) by a CPU on
     * {@code cpuNode} into memory of {@code memNode}: {@code bandwidth[home] / bandwidth[N]}, so
     * {@code cost.zero_4k_ns} and {@code cost.copy_4k_ns} stay the local figures.
     */
    public double transferScale(int cpuNode, int memNode) {
        return bandwidthMbps[cpuNode] / bandwidthMbps[memNode];
    }

    /** {@code ps} of a page-sized transfer scaled by {@link #transferScale}; {@code ps} itself when the bandwidths are equal. */
    public long pageTransferPs(long ps, int cpuNode, int memNode) {
        double bwCpu = bandwidthMbps[cpuNode];
        double bwMem = bandwidthMbps[memNode];
        return bwCpu == bwMem ? ps : Math.round(ps * bwCpu / bwMem);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < nrNodes; n++) {
            sb.append(String.format(Locale.ROOT, "node %d: %d frames, cpus %s, tier %d%n", n, nodeFrames[n],
                    Arrays.toString(nodeCpus[n]), memoryTier[n]));
        }
        return sb.toString();
    }
}
