package io.vmsim.core.filemap;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.pgtable.Pte;

/**
 * Writeback of a file range on request, as {@code fsync()}, {@code msync(MS_SYNC)} and
 * {@code POSIX_FADV_DONTNEED} start it ({@code __filemap_fdatawrite_range()} in
 * {@code mm/filemap.c}, {@code write_cache_pages()} in {@code mm/page-writeback.c}; Linux 6.18).
 *
 * <p>Each cached page of the range goes through {@code folio_clear_dirty_for_io()}:
 * {@code folio_mkclean()} ({@code mm/rmap.c}) write-protects and cleans every PTE of a shared
 * mapping of it, so the next store through such a mapping faults again
 * ({@code wp_page_shared()}) and dirties the page anew; a dirty PTE makes the page dirty; then a
 * dirty page is written ({@code nr_written}, {@code pgpgout} 4 KiB a page). {@code sync}
 * ({@code WB_SYNC_ALL}) waits for writes already in flight and for its own, charging one device
 * request for the pages written; otherwise ({@code WB_SYNC_NONE}) pages under writeback are
 * skipped and the written ones stay under writeback until the request completes.
 */
public final class Writeback {
    private final Kernel k;
    private final PageCache cache;
    private final Rmap rmap;

    public Writeback(Kernel kernel, PageCache cache) {
        this.k = kernel;
        this.cache = cache;
        this.rmap = new Rmap(kernel);
    }

    /** Writes back the pages {@code [first, last]} of {@code file} (clipped to its size); returns how many were written. */
    public long writeRange(int file, long first, long last, boolean sync) {
        PageCache.FileStats f = cache.file(file);
        long end = Math.min(last, f.sizePages - 1);
        long dirty = 0;
        for (long i = Math.max(0, first); i <= end; i++) {
            int pfn = cache.lookup(file, i);
            if (pfn >= 0 && mkclean(pfn)) {
                cache.markDirty(pfn); // folio_clear_dirty_for_io(): a dirty PTE dirties the folio
            }
            if (pfn >= 0 && k.frames.test(pfn, PageFrames.PG_DIRTY)) {
                dirty++;
            }
        }
        long finishNs = k.clock.nanoTime() + cache.cost().requestPs(Math.max(1, dirty)) / 1000;
        long written = 0;
        for (long i = Math.max(0, first); i <= end; i++) {
            int pfn = cache.lookup(file, i);
            if (pfn >= 0 && cache.writePage(pfn, sync, finishNs)) {
                written++;
            }
        }
        if (sync && written > 0) {
            k.clock.advance(cache.cost().requestPs(written)); // file_write_and_wait_range() waits
        }
        return written;
    }

    /**
     * {@code folio_mkclean()}: write-protects and cleans every PTE mapping {@code pfn} in a shared
     * area (private areas map page-cache pages read-only); returns true if one was dirty.
     */
    private boolean mkclean(int pfn) {
        if (k.frames.mapcount(pfn) == 0) {
            return false;
        }
        boolean[] dirty = {false};
        int n = rmap.walk(pfn, (mm, vma, address, table, index, level) -> {
            if (!vma.has(VmaFlags.VM_SHARED)) {
                return true;
            }
            long[] t = k.tables.table(table);
            long e = t[index];
            if ((e & (Pte.RW | Pte.DIRTY)) != 0) {
                dirty[0] |= (e & Pte.DIRTY) != 0;
                t[index] = e & ~(Pte.RW | Pte.DIRTY);
                k.flushTlbPage(mm, address);
            }
            return true;
        });
        k.clock.advance(n * cache.cost().rmapPs());
        return dirty[0];
    }
}
