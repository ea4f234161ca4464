package io.vmsim.api.policy;

/**
 * A task's NUMA hinting-fault statistics as automatic NUMA balancing keeps them
 * ({@code task_struct.numa_faults} and its {@code numa_group}, {@code kernel/sched/fair.c}):
 * decayed fault counts per node, halved at every placement pass ({@code task_numa_placement()}).
 * A read-only view the core owns; valid only during the call that passes it.
 */
public interface NumaTaskStats {
    /** {@code numa_preferred_nid}: the node the task prefers, or -1 before it has one. */
    int preferredNode();

    /** {@code numa_scan_seq}: full passes the scanner has made over the task's address space. */
    int scanSeq();

    /** Tasks in the task's numa group ({@code numa_group.nr_tasks}); 1 for a task alone. */
    int groupTasks();

    /** {@code task_faults()}: the task's decayed memory faults on pages of {@code node}, private and shared. */
    long faults(int node);

    /** {@code group_faults()}: as {@link #faults}, summed over the task's numa group (the task's own when alone). */
    long groupFaults(int node);

    /** {@code group_faults_cpu()}: the group's decayed faults taken by CPUs of {@code node} (the task's own when alone). */
    long groupFaultsCpu(int node);
}
