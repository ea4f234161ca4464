package io.vmsim.core.scenario;

import java.util.List;
import java.util.Map;

/**
 * A declarative workload: processes with their VMAs, and phases run in order.
 *
 * @param name        the scenario's name ({@code largepages3})
 * @param description one paragraph saying what it reproduces
 * @param source      where it was read from: {@code builtin:NAME} or a file path
 * @param config      configuration defaults the scenario sets (a user's file and {@code --set} override them)
 * @param processes   the processes, in creation order
 * @param phases      the phases, in execution order
 * @param files       files in the page cache that phases read and write and VMAs map (reclaim, issue 3)
 * @param cgroups     memory cgroups processes may join (reclaim, issue 3)
 */
public record Scenario(String name, String description, String source, Map<String, String> config,
                       List<ProcessSpec> processes, List<PhaseSpec> phases, List<FileSpec> files,
                       List<CgroupSpec> cgroups) {
    public Scenario {
        config = Map.copyOf(config);
        processes = List.copyOf(processes);
        phases = List.copyOf(phases);
        files = List.copyOf(files);
        cgroups = List.copyOf(cgroups);
    }

    /** A scenario without files. */
    public Scenario(String name, String description, String source, Map<String, String> config,
                    List<ProcessSpec> processes, List<PhaseSpec> phases) {
        this(name, description, source, config, processes, phases, List.of(), List.of());
    }
}
