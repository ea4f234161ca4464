package io.vmsim.core;

import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.topology.NumaTopology;

/** Builds the page allocator from the configuration. */
final class Allocators {
    private Allocators() {
    }

    static PageAllocator create(PageFrames frames, CoreConfig config, NumaTopology topology) {
        int nodes = topology.nrNodes();
        int[] distance = new int[nodes * nodes];
        boolean[] hasCpus = new boolean[nodes];
        for (int i = 0; i < nodes; i++) {
            hasCpus[i] = topology.hasCpus(i);
            for (int j = 0; j < nodes; j++) {
                distance[i * nodes + j] = topology.distance(i, j);
            }
        }
        PageAllocator a = new PageAllocator(frames, config.getInt(CoreKeys.CPUS), config.getLong(CoreKeys.MIN_FREE_KBYTES),
                config.getInt(CoreKeys.WATERMARK_SCALE_FACTOR), config.getInt(CoreKeys.PCP_BATCH),
                PageAllocator.DMA32_END_PFN, PageAllocator.buildNodeOrder(distance, hasCpus),
                config.getBoolean(CoreKeys.DEFERRED_STRUCT_PAGE_INIT));
        int[] cpuNode = new int[topology.nrCpus()];
        for (int c = 0; c < cpuNode.length; c++) {
            cpuNode[c] = topology.nodeOfCpu(c);
        }
        a.setCpuNodes(cpuNode);
        return a;
    }
}
