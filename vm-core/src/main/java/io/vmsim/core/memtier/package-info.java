/**
 * Memory tiering (issue 10), after {@code mm/memory-tiers.c}: the tiers and demotion targets of the
 * topology's nodes, demotion of reclaim victims to a lower tier ({@code demote_folio_list()} in
 * {@code mm/vmscan.c}) and promotion of hot slow-tier pages on NUMA hinting faults under
 * {@code kernel.numa_balancing=2} ({@code should_numa_migrate_memory()} in {@code kernel/sched/fair.c}).
 */
package io.vmsim.core.memtier;
