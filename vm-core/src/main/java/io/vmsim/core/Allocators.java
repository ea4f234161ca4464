package io.vmsim.core;

import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;

/** Builds the page allocator from the configuration. */
final class Allocators {
    private Allocators() {
    }

    static PageAllocator create(PageFrames frames, CoreConfig config) {
        return new PageAllocator(frames);
    }
}
