package io.vmsim.api.machine;

/** Everything a policy may observe about the machine, read-only. */
public interface MachineView {
    /** The frames of physical memory. */
    FrameView frames();

    /** The NUMA topology. */
    Topology topology();

    /** The simulated clock. */
    Clock clock();

    /**
     * The value of a {@code /proc/vmstat} counter by its Linux name ({@code pgfault},
     * {@code thp_fault_alloc}, ...), or -1 if the simulator has no such counter.
     */
    long vmstat(String name);
}
