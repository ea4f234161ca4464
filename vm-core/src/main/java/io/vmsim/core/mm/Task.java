package io.vmsim.core.mm;

import io.vmsim.api.machine.TaskView;

/** A thread of a simulated process ({@code struct task_struct}), pinned to one CPU. */
public final class Task implements TaskView {
    private final int pid;
    private final int tid;
    private final String comm;
    private final int cpu;
    Mm mm;

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

    @Override
    public long rssPages() {
        return mm == null ? 0 : mm.rssAnon + mm.rssFile;
    }
}
