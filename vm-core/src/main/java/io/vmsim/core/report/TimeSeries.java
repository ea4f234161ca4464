package io.vmsim.core.report;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples of a run's state over simulated time, for {@code run --report} (issue 14): one row
 * per sample, one column per series, in primitive arrays that grow by doubling per sample, so a
 * run without a report allocates nothing for them and a run with one allocates nothing per
 * reference. Values are what {@code /proc/vmstat}, {@code /proc/meminfo} and the KSM sysfs
 * files would show at the sample's time; counters ({@code workingset_refault_*},
 * {@code numa_*}) are cumulative since boot, as Linux keeps them.
 */
public final class TimeSeries {
    /** Free pages ({@code nr_free_pages}; {@code MemFree} is 4 kB each). */
    public static final int NR_FREE_PAGES = 0;
    /** Resident pages of every live process ({@code MM_ANONPAGES + MM_FILEPAGES} summed). */
    public static final int RSS = 1;
    /** LRU list sizes in pages, as {@code /proc/vmstat} names them. */
    public static final int NR_INACTIVE_ANON = 2;
    public static final int NR_ACTIVE_ANON = 3;
    public static final int NR_INACTIVE_FILE = 4;
    public static final int NR_ACTIVE_FILE = 5;
    /** Refaults of evicted pages ({@code mm/workingset.c}), cumulative. */
    public static final int WORKINGSET_REFAULT_ANON = 6;
    public static final int WORKINGSET_REFAULT_FILE = 7;
    /** {@code AnonPages} and {@code AnonHugePages} of {@code /proc/meminfo}, kB. */
    public static final int ANON_PAGES_KB = 8;
    public static final int ANON_HUGE_PAGES_KB = 9;
    /** Allocations on the allocating CPU's node and on another ({@code numa_local}, {@code numa_other}), cumulative. */
    public static final int NUMA_LOCAL = 10;
    public static final int NUMA_OTHER = 11;
    /** References to memory of the CPU's own node and of another node, cumulative. */
    public static final int REFS_LOCAL = 12;
    public static final int REFS_REMOTE = 13;
    /** KSM pages in the stable tree and the mappings sharing them ({@code /sys/kernel/mm/ksm}). */
    public static final int PAGES_SHARED = 14;
    public static final int PAGES_SHARING = 15;
    /**
     * Pages on the unevictable list ({@code nr_unevictable}): mlocked pages, and the anonymous
     * pages of a machine without swap, which vmsim keeps there (its {@code Unevictable} in meminfo).
     */
    public static final int NR_UNEVICTABLE = 16;

    /** The series' names, by index: Linux's names where Linux has one. */
    public static final List<String> NAMES = List.of("nr_free_pages", "rss", "nr_inactive_anon", "nr_active_anon",
            "nr_inactive_file", "nr_active_file", "workingset_refault_anon", "workingset_refault_file", "AnonPages",
            "AnonHugePages", "numa_local", "numa_other", "refs_local", "refs_remote", "pages_shared", "pages_sharing",
            "nr_unevictable");

    private final long intervalNs;
    private int n;
    private long[] timeNs = new long[64];
    private long[][] columns = new long[NAMES.size()][64];
    /** Resident pages of each process, by "pid comm", in order of first appearance; 0 before and after its life. */
    private final Map<String, long[]> rss = new LinkedHashMap<>();
    /** Whether the reclaim policy keeps active lists (else every LRU page shows as inactive). */
    private boolean activeLists = true;

    /** An empty series sampled every {@code intervalNs} simulated nanoseconds (at least 1). */
    public TimeSeries(long intervalNs) {
        if (intervalNs < 1) {
            throw new IllegalArgumentException("sampling interval must be at least 1 ns, got " + intervalNs);
        }
        this.intervalNs = intervalNs;
    }

    /** The interval between samples, simulated ns. */
    public long intervalNs() {
        return intervalNs;
    }

    /** Number of samples. */
    public int size() {
        return n;
    }

    /** Simulated time of sample {@code k}, ns. */
    public long timeNs(int k) {
        return timeNs[k];
    }

    /** Value of series {@code series} (one of the constants) at sample {@code k}. */
    public long value(int series, int k) {
        return columns[series][k];
    }

    /** The per-process resident pages, each array as long as {@link #size()}. */
    public Map<String, long[]> processRss() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : rss.entrySet()) {
            out.put(e.getKey(), Arrays.copyOf(e.getValue(), n));
        }
        return out;
    }

    /** Whether the reclaim policy reported active lists; false: the nr_active_* series are 0. */
    public boolean activeLists() {
        return activeLists;
    }

    /** Marks that the reclaim policy keeps no active list (see {@code ReclaimPolicy.activePages}). */
    public void noActiveLists() {
        activeLists = false;
    }

    /** The time of the last sample, or -1 if none. */
    public long lastTimeNs() {
        return n == 0 ? -1 : timeNs[n - 1];
    }

    /**
     * Starts sample {@code k = size()} at {@code nowNs} and returns its index; the caller then
     * fills it with {@link #set} and {@link #setRss}.
     */
    public int begin(long nowNs) {
        if (n == timeNs.length) {
            int cap = n * 2;
            timeNs = Arrays.copyOf(timeNs, cap);
            for (int i = 0; i < columns.length; i++) {
                columns[i] = Arrays.copyOf(columns[i], cap);
            }
            for (Map.Entry<String, long[]> e : rss.entrySet()) {
                e.setValue(Arrays.copyOf(e.getValue(), cap));
            }
        }
        timeNs[n] = nowNs;
        return n++;
    }

    /** Sets series {@code series} of sample {@code k}. */
    public void set(int series, int k, long value) {
        columns[series][k] = value;
    }

    /** Sets the resident pages of process {@code label} at sample {@code k}. */
    public void setRss(String label, int k, long pages) {
        long[] col = rss.get(label);
        if (col == null) {
            col = new long[timeNs.length];
            rss.put(label, col);
        }
        col[k] = pages;
    }
}
