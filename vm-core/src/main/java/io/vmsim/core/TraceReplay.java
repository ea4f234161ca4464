package io.vmsim.core;

import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.trace.TraceReader;

import java.util.List;

/**
 * Replays encoded trace references ({@link TraceReader#encode}) on a machine: one process whose
 * anonymous read-write areas (adjacent, 8 TiB each) span the user address space from address 0,
 * one thread on CPU 0. The pages below {@code vm.mmap_min_addr} (64 KiB by default) are mapped
 * too, as a privileged process may map them: a trace's references there count as {@code vmsim mrc}
 * and {@code vmsim trace stats} count them, instead of stopping the replay with a segmentation
 * fault that the recorded program did not have.
 */
public final class TraceReplay {
    private final Machine m;
    private final Task task;

    public TraceReplay(Machine machine) {
        this.m = machine;
        SimProcess proc = machine.spawn("trace", List.of(0));
        this.task = proc.threads().get(0);
        long top = (1L << (machine.config().getInt(CoreKeys.PGTABLE_LEVELS) == 5 ? 56 : 47)) - 4096;
        // adjacent areas of at most MAX_ANON_MAPPING bytes cover the whole user address space
        for (long a = 0; a < top; ) {
            long end = Math.min(top, (a + MmSyscalls.MAX_ANON_MAPPING) & -MmSyscalls.MAX_ANON_MAPPING);
            machine.syscalls().mmapAnonFixed(proc.mm(), a, end - a, "rw", true); // MAP_NORESERVE
            a = end;
        }
    }

    /** Replays {@code refs[0..n)}; instruction fetches are reads. */
    public void replay(long[] refs, int n) {
        Machine mach = m;
        Task t = task;
        for (int i = 0; i < n; i++) {
            long ref = refs[i];
            int kind = (int) (ref & 3);
            mach.access(t, ref >>> 2, kind == TraceReader.STORE || kind == TraceReader.MODIFY);
        }
    }

    /** Replays one batch read from {@code source}, naming the source and reference number in errors. */
    void replay(long[] refs, int n, String source) {
        try {
            replay(refs, n);
            m.tick();
        } catch (WorkloadException e) {
            throw new WorkloadException(source + ": reference " + m.refs() + ": " + e.getMessage());
        }
    }

    public Machine machine() {
        return m;
    }
}
