package io.vmsim.core;

import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.config.Sizes;
import io.vmsim.core.swap.SwapSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a configuration must satisfy beyond each key's own rule for a machine to be built from
 * it: rules that join keys ({@code swap.size} with {@code swap.devices}, {@code vm.min_free_kbytes}
 * with {@code machine.memory}) and the Java heap the machine needs. Checked before the machine
 * is built, so the user gets one line per problem naming the key, its value and what fits,
 * instead of an error from deep inside the construction.
 */
public final class MachineLimits {
    /** Room for a reclaim policy's own per-frame state (IntrusivePageLists, the lists of the mrc engines, keeps four ints a frame). */
    static final int POLICY_BYTES_PER_FRAME = 16;
    /** Page tables: one 4 KiB table (a {@code long[512]}) per 512 frames mapped with 4 KiB pages. */
    static final int TABLE_BYTES_PER_FRAME = 8;
    /** Heap bytes per touched frame: the core's frame arrays, a policy's state, page tables. */
    static final int HEAP_BYTES_PER_FRAME = PageFrames.BYTES_PER_FRAME + POLICY_BYTES_PER_FRAME + TABLE_BYTES_PER_FRAME;
    /** Heap besides the frames and swap slots: classes, Guice, TLBs, trace buffers. */
    public static final long FIXED_HEAP_BYTES = 64L << 20;
    /**
     * Frames whose metadata the estimate always counts, touched or not: 4 GiB of simulated
     * memory (the default machine.memory), so that a machine up to that size is checked as if
     * all of it were touched. Beyond it the run pays for the sections it touches, and a run
     * that touches more than the heap holds stops at that section ({@link PageFrames#touchSection}).
     */
    static final long TOUCHED_FRAMES_COUNTED = 1L << 20;
    /**
     * Heap every section costs whether touched or not: {@value PageFrames#INT_ARRAYS_PER_SECTION}
     * references of at most 8 bytes each.
     */
    static final int BYTES_PER_SECTION = PageFrames.INT_ARRAYS_PER_SECTION * 8;
    /** Bytes per frame of tables kept for all of memory: memcg's owner byte ({@code LruDomains}), allocated with the first cgroup. */
    static final int UNTOUCHED_BYTES_PER_FRAME = 1;
    /** NUMA balancing's {@code last_cpupid}: an int per frame for all of memory when kernel.numa_balancing is on. */
    static final int NUMA_BALANCING_BYTES_PER_FRAME = 4;

    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;

    private MachineLimits() {
    }

    /**
     * Checks {@code config} for a machine in a JVM whose heap holds at most {@code maxHeapBytes}.
     *
     * @throws ConfigException listing every problem
     */
    static void check(CoreConfig config, long maxHeapBytes) {
        List<String> problems = new ArrayList<>();
        long frames = config.getLong(CoreKeys.MEMORY) >>> 12;
        swap(config, problems);
        minFreeKbytes(config, frames, problems);
        heap(config, frames, maxHeapBytes, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * Heap bytes a machine of this configuration needs before the workload runs: what all of
     * memory costs untouched (section tables, one pageblock byte per 512 frames, the flat
     * per-frame tables of {@link #untouchedBytesPerFrame}), swap slots, a fixed part, and
     * {@link #HEAP_BYTES_PER_FRAME} for each of the first {@link #TOUCHED_FRAMES_COUNTED} frames.
     */
    public static long heapEstimate(CoreConfig config) {
        long frames = config.getLong(CoreKeys.MEMORY) >>> 12;
        return untouchedBytes(config, frames) + Math.min(frames, TOUCHED_FRAMES_COUNTED) * HEAP_BYTES_PER_FRAME;
    }

    /**
     * Sections a run may touch in a heap of {@code maxHeapBytes}: what is left after all of memory
     * untouched, at {@link #HEAP_BYTES_PER_FRAME} per touched frame.
     */
    static long sectionBudget(CoreConfig config, long maxHeapBytes) {
        long frames = config.getLong(CoreKeys.MEMORY) >>> 12;
        long left = maxHeapBytes - untouchedBytes(config, frames);
        return Math.max(0, left / ((long) HEAP_BYTES_PER_FRAME * PageFrames.PAGES_PER_SECTION));
    }

    /** Heap bytes the machine needs if the run touches every frame. */
    static long fullHeapEstimate(CoreConfig config) {
        long frames = config.getLong(CoreKeys.MEMORY) >>> 12;
        return untouchedBytes(config, frames) + frames * HEAP_BYTES_PER_FRAME;
    }

    private static long untouchedBytes(CoreConfig config, long frames) {
        long slots = config.getLong(CoreKeys.SWAP_SIZE) >>> 12;
        long sections = (frames + PageFrames.PAGES_PER_SECTION - 1) / PageFrames.PAGES_PER_SECTION;
        return FIXED_HEAP_BYTES + sections * BYTES_PER_SECTION + frames / io.vmsim.core.alloc.Zone.PAGEBLOCK_NR_PAGES
                + frames * untouchedBytesPerFrame(config) + slots * SwapSpace.BYTES_PER_SLOT;
    }

    /** Bytes per frame of the tables kept flat over all of memory, touched or not, in this configuration. */
    static int untouchedBytesPerFrame(CoreConfig config) {
        return UNTOUCHED_BYTES_PER_FRAME + (config.getInt(CoreKeys.NUMA_BALANCING) != 0 ? NUMA_BALANCING_BYTES_PER_FRAME : 0);
    }

    /**
     * The largest {@code vm.min_free_kbytes} whose high watermark stays below {@code frames}:
     * above it no allocation can be served without reclaim, and booting fails.
     */
    static long maxMinFreeKbytes(long frames, int watermarkScaleFactor) {
        long lo = 0;
        long hi = frames * 4; // all of memory, in kB: always too much
        while (lo + 1 < hi) {
            long mid = lo + (hi - lo) / 2;
            if (PageAllocator.highWatermarkPages(frames, mid, watermarkScaleFactor) < frames) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void swap(CoreConfig config, List<String> problems) {
        long pages = config.getLong(CoreKeys.SWAP_SIZE) >>> 12;
        long devices = config.getLong(CoreKeys.SWAP_DEVICES);
        if (pages / devices <= SwapSpace.MAX_SLOTS_PER_DEVICE) {
            return;
        }
        long max = devices * SwapSpace.MAX_SLOTS_PER_DEVICE * 4096;
        long needed = pages / (SwapSpace.MAX_SLOTS_PER_DEVICE + 1) + 1;
        problems.add(head(config, CoreKeys.SWAP_SIZE) + "a swap device holds less than 256 GiB (2^26 slots of 4 KiB), so with "
                + CoreKeys.SWAP_DEVICES + " = " + devices + " at most " + Sizes.format(max) + " fits; set "
                + CoreKeys.SWAP_DEVICES + "=" + needed + " for this size, or use less swap");
    }

    private static void minFreeKbytes(CoreConfig config, long frames, List<String> problems) {
        long kb = config.getLong(CoreKeys.MIN_FREE_KBYTES);
        int wsf = config.getInt(CoreKeys.WATERMARK_SCALE_FACTOR);
        if (kb < 0 || PageAllocator.highWatermarkPages(frames, kb, wsf) < frames) {
            return;
        }
        problems.add(head(config, CoreKeys.MIN_FREE_KBYTES) + "too large for " + CoreKeys.MEMORY + " = "
                + text(config, CoreKeys.MEMORY) + ": its high watermark would be "
                + String.format(Locale.ROOT, "%,d", PageAllocator.highWatermarkPages(frames, kb, wsf) * 4)
                + " kB of " + String.format(Locale.ROOT, "%,d", frames * 4) + " kB, leaving nothing to allocate"
                + " (Documentation/admin-guide/sysctl/vm.rst: \"setting this too high will OOM your machine instantly\");"
                + " at most " + maxMinFreeKbytes(frames, wsf) + " fits, or -1 to compute it as Linux does");
    }

    private static void heap(CoreConfig config, long frames, long maxHeapBytes, List<String> problems) {
        long need = heapEstimate(config);
        if (need <= maxHeapBytes) {
            return;
        }
        long slots = config.getLong(CoreKeys.SWAP_SIZE) >>> 12;
        problems.add(head(config, CoreKeys.MEMORY) + "a machine of " + String.format(Locale.ROOT, "%,d", frames)
                + " frames" + (slots > 0 ? " and " + String.format(Locale.ROOT, "%,d", slots) + " swap slots" : "")
                + " needs about " + bytes(need + MIB - 1) + " of Java heap before its workload touches more than "
                + Sizes.format(TOUCHED_FRAMES_COUNTED << 12) + ", more than the " + bytes(maxHeapBytes)
                + " this JVM may use; give it more (e.g. VMSIM_JAVA_OPTS=-Xmx" + xmx(need) + " ./vmsim ...)"
                + " or simulate less memory");
    }

    /** An {@code -Xmx} value with a quarter to spare, in whole GiB (or MiB below one). */
    static String xmx(long bytes) {
        long want = bytes + bytes / 4;
        return want >= GIB ? (want + GIB - 1) / GIB + "g" : (want + MIB - 1) / MIB + "m";
    }

    /** Whole MiB (rounded down) below a GiB, else GiB with one decimal. */
    private static String bytes(long b) {
        return b >= GIB ? String.format(Locale.ROOT, "%.1f GiB", (double) b / GIB)
                : String.format(Locale.ROOT, "%d MiB", b / MIB);
    }

    /** "'KEY' = 'VALUE' (WHERE): ", as the configuration's own errors start. */
    private static String head(CoreConfig config, String key) {
        String where = config.where(key);
        return "'" + key + "' = '" + text(config, key) + "'" + (where == null ? "" : " (" + where + ")") + ": ";
    }

    private static String text(CoreConfig config, String key) {
        String v = config.asMap().get(key);
        return v != null ? v : Long.toString(config.getLong(key));
    }
}
