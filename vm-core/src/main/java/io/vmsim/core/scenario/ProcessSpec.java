package io.vmsim.core.scenario;

import java.util.List;

/**
 * A process of a scenario.
 *
 * @param name       the process's command name
 * @param threadCpus the CPU each thread is pinned to; thread {@code i} runs on {@code threadCpus.get(i)}
 * @param vmas       the areas mapped when the process starts
 */
public record ProcessSpec(String name, List<Integer> threadCpus, List<VmaSpec> vmas) {
    public ProcessSpec {
        threadCpus = List.copyOf(threadCpus);
        vmas = List.copyOf(vmas);
    }
}
