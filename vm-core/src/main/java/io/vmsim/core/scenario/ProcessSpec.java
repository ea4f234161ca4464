package io.vmsim.core.scenario;

import java.util.List;

/**
 * A process of a scenario.
 *
 * @param name       the process's command name
 * @param threadCpus the CPU each thread is pinned to; thread {@code i} runs on {@code threadCpus.get(i)}
 * @param vmas       the areas mapped when the process starts
 * @param oomScoreAdj {@code /proc/PID/oom_score_adj}, -1000..1000 (reclaim, issue 3)
 * @param cgroup     the memory cgroup it runs in, or null for the root (reclaim, issue 3)
 * @param cpusAllowed the CPUs its threads may be moved to ({@code cpus_allowed}); empty for every CPU (issue 10)
 * @param bindCpusNode true if each thread is bound to the CPUs of the node it starts on (HARD_BIND, issue 10)
 * @param mempolicy  the memory policy of every thread, or null for the default (mempolicy, issue 10)
 * @param memoryMerge {@code prctl(PR_SET_MEMORY_MERGE, 1)} at start: KSM may merge all its private memory (issue 11)
 */
public record ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup,
                          List<Integer> cpusAllowed, boolean bindCpusNode, MempolicySpec mempolicy,
                          boolean memoryMerge) {
    public ProcessSpec {
        threadCpus = List.copyOf(threadCpus);
        vmas = List.copyOf(vmas);
        cpusAllowed = List.copyOf(cpusAllowed);
    }

    /** A process without {@code PR_SET_MEMORY_MERGE}. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup,
                       List<Integer> cpusAllowed, boolean bindCpusNode, MempolicySpec mempolicy) {
        this(name, threadCpus, vmas, oomScoreAdj, cgroup, cpusAllowed, bindCpusNode, mempolicy, false);
    }

    /** A process its threads' CPUs do not restrict, with {@code mempolicy} (null: the default). */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup,
                       MempolicySpec mempolicy) {
        this(name, threadCpus, vmas, oomScoreAdj, cgroup, List.of(), false, mempolicy, false);
    }

    /** A process with the default memory policy. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup,
                       List<Integer> cpusAllowed, boolean bindCpusNode) {
        this(name, threadCpus, vmas, oomScoreAdj, cgroup, cpusAllowed, bindCpusNode, null, false);
    }

    /** A process its threads' CPUs do not restrict, with the default memory policy, and {@code memoryMerge}. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup,
                       boolean memoryMerge) {
        this(name, threadCpus, vmas, oomScoreAdj, cgroup, List.of(), false, null, memoryMerge);
    }

    /** A process with {@code oom_score_adj} 0. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas) {
        this(name, threadCpus, vmas, 0, null);
    }

    /** A process its threads' CPUs do not restrict, with the default memory policy. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup) {
        this(name, threadCpus, vmas, oomScoreAdj, cgroup, List.of(), false, null, false);
    }
}
