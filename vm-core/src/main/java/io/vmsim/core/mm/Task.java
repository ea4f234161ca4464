package io.vmsim.core.mm;

import io.vmsim.api.machine.TaskView;

/**
 * A thread of a simulated process ({@code struct task_struct}). It runs on one CPU at a time;
 * automatic NUMA balancing may move it to another CPU its {@code cpus_allowed} permit
 * ({@code migrate_task_to()}, {@code migrate_swap()} in {@code kernel/sched/}).
 */
public final class Task implements TaskView {
    private final int pid;
    private final int tid;
    private final String comm;
    private int cpu;
    /** {@code cpus_allowed}: the CPUs the scheduler may run the task on; null for every CPU. */
    private java.util.BitSet cpusAllowed;
    /** The task's slot in automatic NUMA balancing's per-task state, or -1 when balancing is off. */
    public int numaIndex = -1;
    /** References the task made, which tell NUMA balancing it ran ({@code task_tick_numa()} runs for the current task). */
    public long numaRefs;
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

    /** Moves the task to {@code cpu} (the scheduler's {@code set_task_cpu()}). */
    public void setCpu(int cpu) {
        this.cpu = cpu;
    }

    /** True if the task may run on {@code cpu}. */
    public boolean cpuAllowed(int cpu) {
        return cpusAllowed == null || cpusAllowed.get(cpu);
    }

    /** Sets {@code cpus_allowed} ({@code sched_setaffinity()}); null allows every CPU. */
    public void setCpusAllowed(java.util.BitSet cpus) {
        this.cpusAllowed = cpus == null ? null : (java.util.BitSet) cpus.clone();
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
