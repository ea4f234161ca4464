package io.vmsim.bench;

import io.vmsim.core.Machine;
import io.vmsim.core.alloc.PageFrames;

/**
 * Bytes of heap per simulated 4 KiB frame: builds a machine with {@code machine.memory} (16G
 * by default, or the first argument) and divides the heap it retains by its frames. Run as
 * {@code java -Xmx4g -cp vm-bench/target/benchmarks.jar io.vmsim.bench.Footprint [SIZE]}.
 */
public final class Footprint {
    private Footprint() {
    }

    public static void main(String[] args) throws InterruptedException {
        String size = args.length > 0 ? args[0] : "16G";
        long before = used();
        Machine m = Machines.create("machine.memory", size);
        long after = used();
        int frames = m.kernel().frames.nrFrames();
        System.out.printf("machine.memory=%s frames=%d retained=%d bytes -> %.2f bytes/frame (struct-of-arrays part: %d)%n",
                size, frames, after - before, (after - before) / (double) frames, PageFrames.BYTES_PER_FRAME);
        if (m.refs() < 0) {
            System.out.println(); // keep m reachable until after the measurement
        }
    }

    private static long used() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
