package io.vmsim.core.filemap;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;

import java.util.List;

/**
 * {@code posix_fadvise()} ({@code generic_fadvise()} in {@code mm/fadvise.c}, Linux 6.18), on a
 * byte range of a page-cache file; {@code len} 0 means to the end of the file.
 *
 * <ul>
 *   <li>{@code normal}: the file's readahead window is the device's ({@code ra_pages =
 *       bdi->ra_pages}) and random mode is off.</li>
 *   <li>{@code random}: {@code FMODE_RANDOM}: misses read only the page asked for.</li>
 *   <li>{@code sequential}: the window doubles ({@code bdi->ra_pages * 2}), random mode off.</li>
 *   <li>{@code willneed}: {@code force_page_cache_readahead()} of the range (from the first
 *       partial page to the last), at most {@code max(io_pages, ra_pages)} pages (vmsim's device
 *       has {@code io_pages} = {@code ra_pages}); the read is not waited for.</li>
 *   <li>{@code dontneed}: starts writeback of the range's dirty pages ({@code WB_SYNC_NONE}),
 *       then {@code mapping_try_invalidate()} of its whole pages (a partial page at either end
 *       is kept, except the last page of the file): a page leaves the cache only if it is
 *       clean, not under writeback, not mapped and not otherwise pinned
 *       ({@code mapping_evict_folio()}); shadow entries of the range are dropped
 *       ({@code clear_shadow_entries()}). So a dirty page survives the first call (it is under
 *       writeback) and a mapped page every call.</li>
 * </ul>
 * Not modelled: {@code noreuse}, and {@code deactivate_file_folio()} of the pages that could not
 * be dropped.
 */
public final class Fadvise {
    /** The advice values, by their {@code POSIX_FADV_*} names in lower case. */
    public static final List<String> ADVICE = List.of("normal", "random", "sequential", "willneed", "dontneed");

    private final Kernel k;
    private final PageCache cache;
    private final Writeback writeback;

    public Fadvise(Kernel kernel, PageCache cache) {
        this.k = kernel;
        this.cache = cache;
        this.writeback = new Writeback(kernel, cache);
    }

    /** {@code posix_fadvise(fd, offset, len, advice)} by a task of {@code mm} on {@code cpu}; returns pages dropped (dontneed) or read (willneed). */
    public long fadvise(Mm mm, int cpu, int file, long offset, long len, String advice) {
        if (offset < 0 || len < 0) {
            throw new IllegalArgumentException("posix_fadvise(" + offset + ", " + len + "): EINVAL (negative offset or length)");
        }
        PageCache.FileStats f = cache.file(file);
        // Careful about overflows; len 0 means as much as possible. endbyte is inclusive.
        long endbyte = len == 0 || offset + len < 0 ? Long.MAX_VALUE : offset + len - 1;
        switch (advice) {
            case "normal" -> {
                f.raPages = cache.bdiRaPages();
                f.random = false;
            }
            case "random" -> f.random = true;
            case "sequential" -> {
                f.raPages = cache.bdiRaPages() * 2;
                f.random = false;
            }
            case "willneed" -> {
                return willneed(mm, cpu, file, f, offset >>> 12, endbyte >>> 12);
            }
            case "dontneed" -> {
                return dontneed(file, f, offset, endbyte);
            }
            default -> throw new IllegalArgumentException("posix_fadvise advice '" + advice + "': EINVAL (expected one of "
                    + ADVICE + ")");
        }
        return 0;
    }

    /** {@code force_page_cache_ra()}: reads the missing pages of {@code [first, last]}, up to the window's maximum. */
    private long willneed(Mm mm, int cpu, int file, PageCache.FileStats f, long first, long last) {
        long end = Math.min(last, f.sizePages - 1);
        if (first > end) {
            return 0;
        }
        long n = Math.min(end - first + 1, Math.max(f.raPages, cache.bdiRaPages()));
        k.currentMm = mm;
        long read = 0;
        // do_page_cache_ra() in chunks of 2 MiB
        for (long i = first; i < first + n; i += 512) {
            int chunk = (int) Math.min(512, first + n - i);
            read += cache.readRange(f, file, i, chunk, cpu, false);
        }
        if (read > 0) {
            k.clock.advance(cache.cost().requestPs(read)); // one device serves it; the caller does not wait
        }
        return read;
    }

    private long dontneed(int file, PageCache.FileStats f, long offset, long endbyte) {
        long size = f.sizePages << 12; // i_size, in whole pages
        writeback.writeRange(file, offset >>> 12, endbyte >>> 12, false); // __filemap_fdatawrite_range(WB_SYNC_NONE)
        // first and last FULL page: partial pages are kept, unless the range ends at the file's end
        long start = (offset + 4095) >>> 12;
        long end = endbyte >>> 12;
        if ((endbyte & 4095) != 4095 && endbyte != size - 1) {
            if (end == 0) {
                return 0;
            }
            end--;
        }
        end = Math.min(end, f.sizePages - 1);
        long dropped = 0;
        for (long i = start; i <= end; i++) {
            int pfn = cache.lookup(file, i);
            if (pfn < 0) {
                cache.clearShadow(file, i);
                continue;
            }
            // mapping_evict_folio(): dirty, under writeback, mapped or pinned pages stay
            if ((k.frames.flags(pfn) & (PageFrames.PG_DIRTY | PageFrames.PG_WRITEBACK)) != 0
                    || k.frames.refcount(pfn) != 1 || k.frames.mapcount(pfn) != 0) {
                continue;
            }
            cache.remove(pfn);
            dropped++;
        }
        return dropped;
    }
}
