/**
 * The NUMA topology ({@code include/linux/topology.h}, {@code drivers/base/node.c},
 * {@code mm/memory-tiers.c}): nodes, their CPUs and memory, the SLIT distances, latencies,
 * bandwidths and memory tiers, and the per-node access counters of the reference path.
 */
package io.vmsim.core.topology;
