package io.vmsim.core.shrinker;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;

import java.util.Arrays;

/**
 * A reclaimable slab cache of fixed-size objects, all unused and freeable (the dentry and
 * inode caches after a walk of a file tree): objects are packed into order-0 pages taken from
 * the page allocator ({@code PG_SLAB}, reclaimable migratetype), and freeing objects gives
 * back pages no longer needed. Objects are freed oldest first; fragmentation is not modelled.
 */
public final class SlabCache implements Shrinker {
    private final String name;
    private final int seeks;
    private final int perPage;
    private final PageAllocator allocator;
    private final PageFrames frames;
    private long objects;
    private int[] pages = new int[64];
    private int nrPages;

    /**
     * @param objectSize bytes per object (dentry 192, inode about 600)
     * @param seeks      the shrinker's seeks
     */
    public SlabCache(String name, int objectSize, int seeks, PageAllocator allocator) {
        this.name = name;
        this.seeks = seeks;
        this.perPage = Math.max(1, 4096 / objectSize);
        this.allocator = allocator;
        this.frames = allocator.frames();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int seeks() {
        return seeks;
    }

    /** Objects in the cache. */
    public long objects() {
        return objects;
    }

    /** Pages the cache holds. */
    public int pages() {
        return nrPages;
    }

    /**
     * Allocates one object ({@code kmem_cache_alloc()}), taking a page when the last is full;
     * returns false if no page could be had (the allocation may have reclaimed first).
     */
    public boolean allocate(int cpu) {
        if (objects == (long) nrPages * perPage) {
            int pfn = allocator.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE, 0, cpu, frames.nodeOf(0));
            if (pfn < 0) {
                return false;
            }
            frames.set(pfn, PageFrames.PG_SLAB);
            frames.setRefcount(pfn, 1);
            if (nrPages == pages.length) {
                pages = Arrays.copyOf(pages, nrPages * 2);
            }
            pages[nrPages++] = pfn;
        }
        objects++;
        return true;
    }

    @Override
    public long countObjects() {
        return objects;
    }

    @Override
    public long scanObjects(long nr) {
        long freed = Math.min(nr, objects);
        objects -= freed;
        long need = (objects + perPage - 1) / perPage;
        while (nrPages > need) {
            int pfn = pages[--nrPages];
            frames.clear(pfn, PageFrames.PG_SLAB);
            frames.setRefcount(pfn, 0);
            allocator.freePages(pfn, 0, 0);
        }
        return freed;
    }
}
