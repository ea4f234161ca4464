package io.vmsim.bench;

import io.vmsim.core.Machine;
import io.vmsim.core.alloc.PageFrames;

/**
 * Heap bytes per simulated 4 KiB frame of a machine just booted. Builds machines of half and full
 * {@code machine.memory} (16G by default, or the first argument) with the reclaim policy given as
 * the second argument (default {@code fifo}) and reports the marginal heap per frame between the
 * two, which excludes fixed costs (classes, Guice, TLBs). Frames are initialised lazily, so this
 * is the cost of memory never touched (section references, pageblock bytes, a policy's arrays
 * sized by its capacity); a touched frame adds {@link PageFrames#BYTES_PER_FRAME} when its
 * 128 MiB section is first written. Run with a collector that compacts fully, e.g.
 * {@code java -XX:+UseSerialGC -Xmx8g -cp vm-bench/target/benchmarks.jar io.vmsim.bench.Footprint 16G lru}.
 */
public final class Footprint {
    private Footprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        String size = args.length > 0 ? args[0] : "16G";
        String policy = args.length > 1 ? args[1] : "fifo";
        long bytes = io.vmsim.core.config.Sizes.parse(size);
        Machines.create("machine.memory", "16M", "policy.reclaim", policy); // load every class first
        long[] retained = new long[2];
        int[] frames = new int[2];
        for (int i = 0; i < 2; i++) {
            long mem = i == 0 ? bytes / 2 : bytes;
            long before = used();
            Machine m = Machines.create("machine.memory", Long.toString(mem), "policy.reclaim", policy);
            retained[i] = used() - before;
            frames[i] = m.kernel().frames.nrFrames();
            if (m.refs() < 0) {
                System.out.println(); // keeps m reachable until it is measured
            }
        }
        double marginal = (retained[1] - retained[0]) / (double) (frames[1] - frames[0]);
        System.out.printf("policy.reclaim=%s: %d frames retain %d bytes, %d frames retain %d bytes%n",
                policy, frames[0], retained[0], frames[1], retained[1]);
        System.out.printf("marginal heap per untouched frame: %.2f bytes (a touched frame's metadata: %d bytes, allocated"
                + " a section of %d frames at a time)%n", marginal, PageFrames.BYTES_PER_FRAME, PageFrames.PAGES_PER_SECTION);
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
