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
 * @param memoryMerge {@code prctl(PR_SET_MEMORY_MERGE, 1)} at start: KSM may merge all its private memory (issue 11)
 */
public record ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup,
                          boolean memoryMerge) {
    public ProcessSpec {
        threadCpus = List.copyOf(threadCpus);
        vmas = List.copyOf(vmas);
    }

    /** A process without {@code PR_SET_MEMORY_MERGE}. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas, int oomScoreAdj, String cgroup) {
        this(name, threadCpus, vmas, oomScoreAdj, cgroup, false);
    }

    /** A process with {@code oom_score_adj} 0. */
    public ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas) {
        this(name, threadCpus, vmas, 0, null);
    }
}
