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
    /** Room for a reclaim policy's own per-frame state (IntrusivePageLists keeps three ints a frame). */
    static final int POLICY_BYTES_PER_FRAME = 16;
    /** Page tables: one 4 KiB table (a {@code long[512]}) per 512 frames mapped with 4 KiB pages. */
    static final int TABLE_BYTES_PER_FRAME = 8;
    /** Heap bytes per frame the estimate counts: the core's frame arrays, a policy's state, page tables. */
    static final int HEAP_BYTES_PER_FRAME = PageFrames.BYTES_PER_FRAME + POLICY_BYTES_PER_FRAME + TABLE_BYTES_PER_FRAME;
    /** Heap besides the frames and swap slots: classes, Guice, TLBs, trace buffers. */
    public static final long FIXED_HEAP_BYTES = 64L << 20;

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

    /** Heap bytes a machine of this configuration needs, by the per-frame and per-slot figures above. */
    public static long heapEstimate(CoreConfig config) {
        long frames = config.getLong(CoreKeys.MEMORY) >>> 12;
        long slots = config.getLong(CoreKeys.SWAP_SIZE) >>> 12;
        return frames * HEAP_BYTES_PER_FRAME + slots * SwapSpace.BYTES_PER_SLOT + FIXED_HEAP_BYTES;
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
                + " needs about " + bytes(need + MIB - 1) + " of Java heap, more than the " + bytes(maxHeapBytes)
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
