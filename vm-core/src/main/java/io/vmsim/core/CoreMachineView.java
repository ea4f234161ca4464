package io.vmsim.core;

import io.vmsim.api.machine.Clock;
import io.vmsim.api.machine.FrameView;
import io.vmsim.api.machine.MachineView;
import io.vmsim.api.machine.Topology;
import io.vmsim.core.alloc.PageFrames;

import java.util.Map;
import java.util.function.Supplier;

/** The read-only machine view handed to policies. */
final class CoreMachineView implements MachineView, Topology {
    private final PageFrames frames;
    private final int nrCpus;
    private final Clock clock;
    private final Supplier<Map<String, Long>> vmstat;
    private final java.util.function.IntToLongFunction nodeFree;

    CoreMachineView(PageFrames frames, int nrCpus, Clock clock, Supplier<Map<String, Long>> vmstat,
                    java.util.function.IntToLongFunction nodeFree) {
        this.frames = frames;
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
        int nodes = frames.nrNodes();
        int per = Math.max(1, (nrCpus + nodes - 1) / nodes);
        return Math.min(nodes - 1, cpu / per);
    }

    @Override
    public int distance(int fromNode, int toNode) {
        // the ACPI SLIT convention: 10 local, 20 one hop away
        return fromNode == toNode ? 10 : 20;
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
