package io.vmsim.core;

import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;

import java.util.List;

/**
 * A simulated process: its address space and its threads.
 *
 * @param pid     process id
 * @param name    command name
 * @param mm      address space
 * @param threads threads, each pinned to a CPU
 */
public record SimProcess(int pid, String name, Mm mm, List<Task> threads) {
    public SimProcess {
        threads = List.copyOf(threads);
    }

    /** Minor faults of the process: its threads' {@code min_flt} summed, as {@code getrusage(RUSAGE_SELF)} reports. */
    public long minFlt() {
        long n = 0;
        for (Task t : threads) {
            n += t.minFlt();
        }
        return n;
    }

    /** Major faults of the process ({@code ru_majflt}). */
    public long majFlt() {
        long n = 0;
        for (Task t : threads) {
            n += t.majFlt();
        }
        return n;
    }
}
