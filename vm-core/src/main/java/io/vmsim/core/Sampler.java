package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.report.TimeSeries;
import io.vmsim.core.vmstat.VmEvent;

import java.util.Map;

/**
 * Fills a {@link TimeSeries} from the machine's state (issue 14). {@link Machine#tick} asks it
 * at every point between references, which is one comparison when no sample is due; a sample
 * reads the same sources as the end-of-run report ({@link Reports}), so sample k holds what a
 * run stopped at that time would report.
 */
final class Sampler {
    private final Machine m;
    private final TimeSeries series;
    private long nextNs;

    Sampler(Machine m, TimeSeries series) {
        this.m = m;
        this.series = series;
        sample(); // the state at the start
    }

    /** Takes a sample if the interval has passed since the previous one. */
    void maybeSample() {
        if (m.nanoTime() >= nextNs) {
            sample();
        }
    }

    /** A last sample at the end of the run, unless one was taken at this very time. */
    void finish() {
        if (series.lastTimeNs() != m.nanoTime()) {
            sample();
        }
    }

    private void sample() {
        long now = m.nanoTime();
        Kernel k = m.kernel();
        int s = series.begin(now);
        series.set(TimeSeries.NR_FREE_PAGES, s, k.allocator.nrFreePages());
        long total = 0;
        for (Mm mm : k.mms()) {
            if (!mm.exited) {
                long pages = mm.rssAnon + mm.rssFile;
                total += pages;
                series.setRss(mm.pid + " " + mm.comm, s, pages);
            }
        }
        series.set(TimeSeries.RSS, s, total);
        lru(k, s);
        series.set(TimeSeries.WORKINGSET_REFAULT_ANON, s, k.vmstat.get(VmEvent.WORKINGSET_REFAULT_ANON));
        series.set(TimeSeries.WORKINGSET_REFAULT_FILE, s, k.vmstat.get(VmEvent.WORKINGSET_REFAULT_FILE));
        series.set(TimeSeries.ANON_PAGES_KB, s, k.nrAnonPages * 4);
        series.set(TimeSeries.ANON_HUGE_PAGES_KB, s, k.nrAnonThps * 2048);
        Map<String, Long> alloc = k.allocator.vmstat();
        series.set(TimeSeries.NUMA_LOCAL, s, alloc.getOrDefault("numa_local", 0L));
        series.set(TimeSeries.NUMA_OTHER, s, alloc.getOrDefault("numa_other", 0L));
        io.vmsim.core.topology.NodeAccesses a = m.nodeAccesses();
        long local = 0;
        long remote = 0;
        for (int node = 0; node < a.nrNodes(); node++) {
            local += a.localAccesses(node);
            remote += a.remoteAccesses(node);
        }
        series.set(TimeSeries.REFS_LOCAL, s, local);
        series.set(TimeSeries.REFS_REMOTE, s, remote);
        io.vmsim.core.ksm.Ksm ksm = m.ksm();
        if (ksm.running()) {
            io.vmsim.core.ksm.Ksm.Stats st = ksm.stats();
            series.set(TimeSeries.PAGES_SHARED, s, st.pagesShared());
            series.set(TimeSeries.PAGES_SHARING, s, st.pagesSharing());
        }
        long interval = series.intervalNs();
        nextNs = (now / interval + 1) * interval;
    }

    /**
     * The LRU pages of each type counted frame by frame (a huge page's head counts its 512
     * pages, as {@code folio_nr_pages()} does), unevictable ones counted apart as Linux keeps
     * them on their own list; the active share is the reclaim policy's
     * ({@code ReclaimPolicy.activePages}), the rest is inactive.
     */
    private void lru(Kernel k, int s) {
        PageFrames f = k.frames;
        long anon = 0;
        long file = 0;
        long unevictable = 0;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            if (!f.sectionPresent(pfn)) {
                pfn = PageFrames.nextSectionPfn(pfn) - 1; // never touched: free
                continue;
            }
            int fl = f.flags(pfn);
            if ((fl & PageFrames.PG_UNEVICTABLE) != 0) {
                unevictable += (fl & PageFrames.PG_HEAD) != 0 ? Kernel.HPAGE_PMD_NR : 1; // as meminfo's Unevictable
                continue;
            }
            if ((fl & PageFrames.PG_LRU) == 0 || (fl & (PageFrames.PG_TAIL | PageFrames.PG_UNEVICTABLE)) != 0) {
                continue;
            }
            long nr = (fl & PageFrames.PG_HEAD) != 0 ? Kernel.HPAGE_PMD_NR : 1;
            if ((fl & PageFrames.PG_SWAPBACKED) != 0 || (fl & PageFrames.PG_ANON) != 0) {
                anon += nr;
            } else {
                file += nr;
            }
        }
        long activeAnon = k.reclaim.activePages(true);
        long activeFile = k.reclaim.activePages(false);
        if (activeAnon < 0 || activeFile < 0) {
            series.noActiveLists();
            activeAnon = 0;
            activeFile = 0;
        }
        activeAnon = Math.min(activeAnon, anon);
        activeFile = Math.min(activeFile, file);
        series.set(TimeSeries.NR_INACTIVE_ANON, s, anon - activeAnon);
        series.set(TimeSeries.NR_ACTIVE_ANON, s, activeAnon);
        series.set(TimeSeries.NR_INACTIVE_FILE, s, file - activeFile);
        series.set(TimeSeries.NR_ACTIVE_FILE, s, activeFile);
        series.set(TimeSeries.NR_UNEVICTABLE, s, unevictable);
    }
}
