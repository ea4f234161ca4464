package io.vmsim.api.machine;

/** A read-only view of a simulated task (a thread of a process). */
public interface TaskView {
    /** Process id of the task's thread group. */
    int pid();

    /** Thread id. */
    int tid();

    /** The command name, as in {@code /proc/PID/comm}. */
    String comm();

    /** The CPU the task runs on. */
    int cpu();

    /** Resident set size of the task's address space, in 4 KiB pages. */
    long rssPages();
}
