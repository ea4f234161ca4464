package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.trace.TraceFormats;
import io.vmsim.core.trace.TraceReader;
import io.vmsim.core.vmscan.Reclaim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Replays a page-number or address trace as what a block trace is: {@code read()}s of one file
 * through the page cache ({@code mm/filemap.c}), as {@code vmsim mrc --machine} does. One process
 * on CPU 0 reads page {@code address >> 12} of one file for each reference; the file holds the
 * largest page of the trace, found by a first pass over it. Every reference is a read, a
 * reference marked as a write included: a block trace's write would replace the whole page
 * without reading it, and the traces' ground truth (and {@code mrc}) count every reference
 * alike. Readahead follows {@code block.read_ahead_kb} (on by default, as in Linux), so a
 * sequential run of pages costs one miss per window.
 */
final class FileTraceReplay {
    /**
     * Largest page a file can hold: {@link PageCache#createFile} takes at most
     * {@code Integer.MAX_VALUE} pages, since page indices must fit 31 bits.
     */
    static final long MAX_PAGE = Integer.MAX_VALUE - 1L;

    /** References between two polls of the daemons, as for the read phases of a scenario. */
    private static final int TICK_EVERY = 64;

    private final Machine m;
    private final PageCache cache;
    private final Mm mm;
    private final int file;
    private final long total;
    private long refs;

    private FileTraceReplay(Machine m, String fileName, long pages, long total) {
        this.m = m;
        this.cache = Reclaim.of(m.kernel()).pageCache();
        this.mm = m.spawn("trace", List.of(0)).mm();
        this.file = cache.createFile(fileName, pages << 12);
        this.total = total;
    }

    /**
     * Replays {@code trace} (read as {@code format}) on {@code m}; returns the replay, or null if
     * the user stopped the run during the first pass.
     *
     * @throws WorkloadException naming the file, the reference and the page if a page does not
     *                           fit a file ({@link #MAX_PAGE})
     */
    static FileTraceReplay open(Machine m, Path trace, String format, Progress progress) throws IOException {
        long[] buf = new long[8192];
        long max = -1;
        long n = 0;
        try (TraceReader r = TraceFormats.open(trace, format, false)) {
            for (int got; (got = r.read(buf)) > 0; ) {
                if (progress.stopRequested()) {
                    return null;
                }
                for (int i = 0; i < got; i++) {
                    long page = TraceReader.address(buf[i]) >>> 12;
                    if (page > MAX_PAGE) {
                        throw new WorkloadException(r.source() + ": reference " + (n + i + 1) + ": page " + page
                                + " is beyond the largest page a page-cache file can hold (" + MAX_PAGE
                                + ": page indices are 31 bits)");
                    }
                    max = Math.max(max, page);
                }
                n += got;
            }
        }
        Path name = trace.getFileName();
        return new FileTraceReplay(m, name == null ? trace.toString() : name.toString(), max + 1, n);
    }

    /** References the first pass counted. */
    long total() {
        return total;
    }

    /** References replayed so far. */
    long refs() {
        return refs;
    }

    /** Reads the pages of {@code refs[0..n)}, naming the source and reference number in errors. */
    void replay(long[] batch, int n, String source) {
        try {
            for (int i = 0; i < n; i++) {
                refs++;
                cache.read(mm, 0, file, TraceReader.address(batch[i]) >>> 12);
                if (refs % TICK_EVERY == 0) {
                    m.tick();
                }
            }
        } catch (WorkloadException e) {
            throw new WorkloadException(source + ": reference " + refs + ": " + e.getMessage());
        }
    }

    /** The page-cache figures of the trace's file, for the run's report. */
    List<RunResult.FileResult> fileResults() {
        PageCache.FileStats f = cache.file(file);
        return List.of(new RunResult.FileResult(f.name, f.sizePages, f.reads, f.writes, f.hits,
                f.misses, f.coldMisses, f.refaults, f.readahead, f.resident));
    }
}
