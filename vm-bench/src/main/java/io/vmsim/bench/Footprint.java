package io.vmsim.bench;

import io.vmsim.core.Machine;
import io.vmsim.core.alloc.PageFrames;

/**
 * Heap bytes per simulated 4 KiB frame. Builds machines of half and full {@code machine.memory}
 * (16G by default, or the first argument) with the reclaim policy given as the second argument
 * (default {@code fifo}) and reports the marginal heap per frame between the two, which excludes
 * fixed costs (classes, Guice, TLBs). Run with a collector that compacts fully, e.g.
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
        System.out.printf("marginal heap per frame: %.2f bytes (the core's frame arrays: %d bytes; the rest is the policy's own)%n",
                marginal, PageFrames.BYTES_PER_FRAME);
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
