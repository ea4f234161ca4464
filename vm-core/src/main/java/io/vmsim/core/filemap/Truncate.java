package io.vmsim.core.filemap;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Vma;

/**
 * {@code ftruncate()} of a page-cache file ({@code truncate_setsize()} and
 * {@code truncate_pagecache()} in {@code mm/truncate.c}, Linux 6.18).
 *
 * <p>Shrinking: the new size is set first, then {@code unmap_mapping_range(holebegin, 0,
 * even_cows=1)} zaps every PTE at or beyond the first whole page past the new end in every
 * mapping of the file, private copies included, then {@code truncate_inode_pages()} takes those
 * pages out of the cache, dirty or not (a write in flight is waited for; their dirt is
 * cancelled), and drops the shadow entries there. A later access to a mapping beyond the new end
 * of file raises SIGBUS ({@code filemap_fault()}: the index is past {@code i_size}). The partial
 * last page stays (Linux zeroes its tail; vmsim keeps no data).
 *
 * <p>Growing only sets the size: the new pages are holes, read as zeros, cached when first
 * touched.
 */
public final class Truncate {
    private final Kernel k;
    private final PageCache cache;

    public Truncate(Kernel kernel, PageCache cache) {
        this.k = kernel;
        this.cache = cache;
    }

    /** {@code ftruncate(fd, bytes)} on {@code cpu}. */
    public void truncate(int file, long bytes, int cpu) {
        if (bytes < 0) {
            throw new IllegalArgumentException("ftruncate(" + bytes + "): EINVAL (negative length)");
        }
        long pages = (bytes + 4095) >>> 12; // holebegin, in pages: round_up(newsize, PAGE_SIZE)
        if (pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ftruncate(" + bytes + "): page indices must fit 31 bits");
        }
        PageCache.FileStats f = cache.file(file);
        long old = f.sizePages;
        f.sizePages = pages; // i_size_write() before the pages go
        if (pages >= old) {
            return;
        }
        unmapMappingRange(file, pages, cpu);
        for (long i = pages; i < old; i++) {
            cache.clearShadow(file, i);
            int pfn = cache.lookup(file, i);
            if (pfn >= 0) {
                cache.endWriteback(pfn); // truncate_inode_pages(): folio_wait_writeback(), I/O completes at once
                cache.remove(pfn);
            }
        }
    }

    /**
     * {@code unmap_mapping_range(mapping, first << PAGE_SHIFT, 0, 1)}: zaps, in every live
     * address space, the part of each area of {@code file} at page index {@code first} or beyond,
     * anonymous copies of private mappings included ({@code even_cows}).
     */
    private void unmapMappingRange(int file, long first, int cpu) {
        for (Mm mm : k.mms()) {
            if (mm.pgd() < 0) {
                continue;
            }
            for (Vma v : mm.vmas()) {
                if (v.file() != file) {
                    continue;
                }
                long lastIndex = v.linearIndex(v.end() - 1);
                if (lastIndex < first) {
                    continue;
                }
                long from = first <= v.pgoff() ? v.start() : v.address(first);
                k.zapRange(mm, from, v.end(), cpu);
            }
        }
    }
}
