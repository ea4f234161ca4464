package io.vmsim.api.policy;

import io.vmsim.api.config.Settings;
import io.vmsim.api.machine.MachineView;

import java.util.random.RandomGenerator;

/** What the simulator hands a provider when it creates a policy. */
public interface PolicyContext {
    /** The policy's own settings: only the keys its provider declared, validated. */
    Settings settings();

    /** Read-only views of the machine. */
    MachineView machine();

    /**
     * List links and flag bits in the frames themselves, for policies that keep lists of
     * pages (the way Linux's LRU lists use {@code struct page}).
     */
    io.vmsim.api.machine.PageLists pageLists();

    /**
     * Where the policy counts the events it is responsible for ({@code pgactivate},
     * {@code workingset_activate_*}, ...), under their {@code /proc/vmstat} names.
     */
    default PolicyEvents events() {
        return PolicyEvents.NONE;
    }

    /**
     * A random source seeded from the run's seed and the policy's name, so a policy's random
     * choices are reproducible and independent of other policies.
     */
    RandomGenerator random();

    /**
     * The capacity of the domain this instance serves, in 4 KiB pages: for a reclaim policy, the
     * pages of its node or, in a memory cgroup with a lower {@code memory.max}, that limit (the
     * N frames of a replacement study); later changes arrive through
     * {@link ReclaimPolicy#capacityChanged}. Never the whole machine's frame count, which is
     * {@code machine().frames().nrFrames()} and bounds PFNs only. For policies of other kinds,
     * the pages of their node, or of the machine for a machine-wide instance. The simulator
     * always sets it; the default, for contexts a policy's own unit tests build, is every frame.
     */
    default long capacity() {
        return machine().frames().nrFrames();
    }

    /**
     * The NUMA node this instance serves, for policies instantiated per node or LRU domain,
     * or -1 for a machine-wide instance.
     */
    int node();
}
