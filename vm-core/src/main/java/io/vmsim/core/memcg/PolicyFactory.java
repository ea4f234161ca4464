package io.vmsim.core.memcg;

import io.vmsim.api.policy.ReclaimPolicy;

/** Creates the reclaim policy instance of one LRU domain (a node within a memory cgroup). */
@FunctionalInterface
public interface PolicyFactory {
    /**
     * @param node   the NUMA node the instance serves (its {@code PolicyContext.node()})
     * @param memcg  the memory cgroup id, 0 for the root
     * @param capacity the domain's capacity in pages (its {@code PolicyContext.capacity()})
     */
    ReclaimPolicy create(int node, int memcg, long capacity);
}
