package io.vmsim.core;

import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;

/** Builds the page allocator from the configuration. */
final class Allocators {
    private Allocators() {
    }

    static PageAllocator create(PageFrames frames, CoreConfig config) {
        return new PageAllocator(frames, config.getInt(CoreKeys.CPUS), config.getLong(CoreKeys.MIN_FREE_KBYTES),
                config.getInt(CoreKeys.WATERMARK_SCALE_FACTOR), config.getInt(CoreKeys.PCP_BATCH));
    }
}
