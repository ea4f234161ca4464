package io.vmsim.core.mm;

import io.vmsim.api.machine.TaskView;

/** A thread of a simulated process ({@code struct task_struct}), pinned to one CPU. */
public final class Task implements TaskView {
    private final int pid;
    private final int tid;
    private final String comm;
    private final int cpu;
    Mm mm;
    /**
     * {@code task_struct.min_flt} and {@code maj_flt}: the faults this task completed, counted by
     * {@code mm_account_fault()} (mm/memory.c), which skips a fault that ended in an error
     * ({@code VM_FAULT_ERROR}: SIGBUS, SIGSEGV, OOM); what {@code getrusage()} reports as
     * {@code ru_minflt} and {@code ru_majflt}. The machine-wide {@code pgfault} counts those too.
     */
    long minFlt;
    long majFlt;
    /** mempolicy (issue 10): the task's memory policy and interleave state. */
    public final io.vmsim.core.mempolicy.TaskMempolicy mempolicy = new io.vmsim.core.mempolicy.TaskMempolicy();

    public Task(int pid, int tid, String comm, int cpu, Mm mm) {
        this.pid = pid;
        this.tid = tid;
        this.comm = comm;
        this.cpu = cpu;
        this.mm = mm;
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public int tid() {
        return tid;
    }

    @Override
    public String comm() {
        return comm;
    }

    @Override
    public int cpu() {
        return cpu;
    }

    public Mm mm() {
        return mm;
    }

    /** Minor faults of this task ({@code ru_minflt}). */
    public long minFlt() {
        return minFlt;
    }

    /** Major faults of this task ({@code ru_majflt}). */
    public long majFlt() {
        return majFlt;
    }

    /** {@code mm_account_fault()}: one fault of this task completed, major or minor. */
    public void accountFault(boolean major) {
        if (major) {
            majFlt++;
        } else {
            minFlt++;
        }
    }

    @Override
    public long rssPages() {
        return mm == null ? 0 : mm.rssAnon + mm.rssFile;
    }
}
