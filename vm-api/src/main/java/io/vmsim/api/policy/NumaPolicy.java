package io.vmsim.api.policy;

import io.vmsim.api.machine.TaskView;
import io.vmsim.api.machine.VmaView;

/**
 * Places pages on NUMA nodes: where a new page is allocated and, for balancing policies, what
 * to do on a NUMA hinting fault ({@code do_numa_page()} in {@code mm/memory.c}), how fast the
 * scanner marks pages ({@code task_numa_work()} in {@code kernel/sched/fair.c}) and which node a
 * task should run on ({@code task_numa_placement()}).
 *
 * <p>The core runs the scanner and calls the balancing methods only for a policy whose
 * {@link #wantsHintingFaults} is true and only when {@code kernel.numa_balancing} is not 0; the
 * mechanisms (marking, restoring the entry, migrating the page, moving the task, decaying the
 * statistics) are the core's.
 */
public interface NumaPolicy extends Policy {
    /**
     * The node to allocate a new page on. {@code localNode} is the node of the faulting CPU.
     * The core falls back to other nodes, in distance order, if the chosen one is full.
     */
    int allocationNode(TaskView task, VmaView vma, long address, int localNode);

    /** True if the policy wants the NUMA scanner to unmap pages and produce hinting faults. */
    default boolean wantsHintingFaults() {
        return false;
    }

    /**
     * A hinting fault: {@code task} running on {@code localNode} touched a page on
     * {@code pageNode}. Returns the node to migrate the page to, or -1 to leave it.
     */
    default int hintingFault(TaskView task, int pfn, int pageNode, int localNode) {
        return -1;
    }

    /**
     * A hinting fault with what the core knows of it: the page's previous {@code last_cpupid}
     * and the task's fault statistics. Returns the node to migrate the page to, or -1 to leave
     * it. The default asks {@link #hintingFault(TaskView, int, int, int)}.
     */
    default int hintingFault(TaskView task, NumaHintFault fault) {
        return hintingFault(task, fault.pfn(), fault.pageNode(), fault.localNode());
    }

    /**
     * Task placement advice, once per scan pass over the task's address space
     * ({@code task_numa_placement()}): the node the task should run on, or -1 for no preference.
     * The core moves the task to a CPU of that node that its {@code cpus_allowed} permit, or
     * swaps it with a task there ({@code task_numa_migrate()}).
     */
    default int preferredNode(TaskView task, NumaTaskStats stats) {
        return -1;
    }

    /**
     * The task's next scan period in milliseconds, given the one the core computed as
     * {@code update_task_scan_period()} does (between {@code scan_period_min_ms} and
     * {@code scan_period_max_ms}, scaled to the address space). Return it unchanged to follow Linux.
     */
    default long scanPeriodMs(TaskView task, long periodMs) {
        return periodMs;
    }

    /**
     * Pages of address space to mark per scan pass, given {@code kernel.numa_balancing_scan_size_mb}
     * in pages. Return it unchanged to follow Linux.
     */
    default long scanPages(TaskView task, long pages) {
        return pages;
    }
}
