package io.vmsim.api.policy;

/**
 * A NUMA hinting fault as {@code do_numa_page()} ({@code mm/memory.c}) sees it: the page, the
 * faulting CPU, and what the page's {@code last_cpupid} said before this fault replaced it with
 * the faulting task's ({@code folio_xchg_last_cpupid()}), which is what Linux's two-stage filter
 * ({@code should_numa_migrate_memory()} in {@code kernel/sched/fair.c}) reads. A read-only view
 * the core reuses; valid only during the call that passes it.
 */
public interface NumaHintFault {
    /** The page's frame. */
    int pfn();

    /** The node the page is on. */
    int pageNode();

    /** The CPU that faulted. */
    int cpu();

    /** The node of that CPU. */
    int localNode();

    /** True if no task had faulted on the page since it was allocated ({@code cpupid_pid_unset()}). */
    boolean lastCpupidUnset();

    /** True if the previous fault was by this task, as far as the 8 pid bits a cpupid holds tell ({@code cpupid_match_pid()}). */
    boolean lastPidMatches();

    /** The node of the CPU of the previous fault ({@code cpupid_to_nid()}), or -1 if unset. */
    int lastNode();

    /** True for a page of a shared mapping mapped more than once ({@code TNF_SHARED}). */
    boolean shared();

    /** The faulting task's statistics, before this fault is added to them. */
    NumaTaskStats task();
}
