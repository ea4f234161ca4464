package io.vmsim.core;

import io.vmsim.api.machine.Clock;
import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.topology.NumaTopology;

import java.util.Map;
import java.util.function.Supplier;

/** The read-only machine view handed to policies. */
final class CoreMachineView implements MachineView, Topology {
    private final PageFrames frames;
    private final int nrCpus;
    private final Clock clock;
    private final Supplier<Map<String, Long>> vmstat;
    private final java.util.function.IntToLongFunction nodeFree;
    private final NumaTopology topology;

    CoreMachineView(PageFrames frames, NumaTopology topology, Clock clock, Supplier<Map<String, Long>> vmstat,
                    java.util.function.IntToLongFunction nodeFree) {
        this.frames = frames;
        this.topology = topology;
        int nrCpus = topology.nrCpus();
        this.nrCpus = nrCpus;
        this.clock = clock;
        this.vmstat = vmstat;
        this.nodeFree = nodeFree;
    }

    @Override
    public FrameView frames() {
        return frames;
    }

    @Override
    public Topology topology() {
        return this;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public long vmstat(String name) {
        Long v = vmstat.get().get(name);
        return v == null ? -1 : v;
    }

    @Override
    public int nrNodes() {
        return frames.nrNodes();
    }

    @Override
    public int nrCpus() {
        return nrCpus;
    }

    @Override
    public int nodeOfCpu(int cpu) {
        return topology.nodeOfCpu(cpu);
    }

    @Override
    public int distance(int fromNode, int toNode) {
        return topology.distance(fromNode, toNode);
    }

    @Override
    public int[] cpusOfNode(int node) {
        return topology.cpusOfNode(node);
    }

    @Override
    public boolean hasCpus(int node) {
        return topology.hasCpus(node);
    }

    @Override
    public int memoryTier(int node) {
        return topology.memoryTier(node);
    }

    @Override
    public double accessLatencyNs(int cpuNode, int memNode) {
        return topology.accessLatencyNs(cpuNode, memNode);
    }

    @Override
    public double bandwidthMbps(int node) {
        return topology.bandwidthMbps(node);
    }

    @Override
    public int nodeFrames(int node) {
        return frames.nodeEndPfn(node) - frames.nodeStartPfn(node);
    }

    @Override
    public long nodeFreeFrames(int node) {
        return nodeFree.applyAsLong(node);
    }
}
