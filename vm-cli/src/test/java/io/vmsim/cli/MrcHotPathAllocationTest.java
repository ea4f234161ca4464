package io.vmsim.cli;

import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.EffectiveConfig;
import io.vmsim.core.mrc.MrcStudy;
import io.vmsim.core.plugin.PolicyRegistry;
import io.vmsim.core.report.Progress;
import io.vmsim.core.trace.SyntheticTraceReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "The hot path allocates nothing", measured: once a streaming study is warm (every page of the
 * trace seen, every frame in use, every ghost list at its bound), replaying more references
 * allocates (next to) nothing on the thread that generates and densifies the trace nor on the
 * worker that replays it through the policy. A steady allocation per reference or per chunk is
 * what made the JVM's heap, and with it the resident memory of {@code vmsim mrc}, grow with the
 * trace's length (docs/mrc.md, "Memory on a long trace").
 *
 * <p>The bytes are the JVM's own per-thread count
 * ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}), read from the progress
 * callback, which the reading thread calls after each chunk it hands out.
 */
final class MrcHotPathAllocationTest {
    /** Every page of it is referenced many times within the warm-up. */
    private static final String TRACE = "zipf:pages=3000,alpha=0.8,refs=1500000,seed=7";
    private static final long WARM = 500_000;
    private static final int CHUNK = 4096;
    /**
     * At most this many bytes per reference per policy x size pair once warm: 1/128 of a byte,
     * 96 bytes per chunk of 4096 references for the 3 pairs (a lambda or a buffer view per pair
     * and chunk already fails). What remains is the two threads' hand-over of a chunk: a
     * blocking queue's wait allocates a node of its lock's condition queue.
     */
    private static final double BOUND = 1.0 / 128;
    private static PolicyRegistry catalog;

    @BeforeAll
    static void loadCatalog() {
        catalog = PolicyRegistry.builtIn();
    }

    @AfterAll
    static void closeCatalog() throws java.io.IOException {
        catalog.close();
    }

    /** Reads the allocated bytes of this thread and of the study's worker, {@code mrc-0}. */
    private static final class Meter implements Progress {
        private final com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final long reader = Thread.currentThread().getId();
        private long worker = -1;
        long startRefs = -1;
        long startBytes;
        long endRefs;
        long endBytes;

        private long bytes() {
            return mx.getThreadAllocatedBytes(reader) + mx.getThreadAllocatedBytes(worker);
        }

        @Override
        public void update(String phase, long done, long total) {
            if (!phase.equals("replaying")) {
                return; // opt's spooling and next-use passes come first
            }
            if (worker < 0) {
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().equals("mrc-0")) {
                        worker = t.getId();
                    }
                }
                return;
            }
            if (startRefs < 0) {
                if (done >= WARM) {
                    startBytes = bytes();
                    startRefs = done;
                }
                return;
            }
            endBytes = bytes();
            endRefs = done;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"arc", "clock", "clock-pro", "fifo", "linux-2list", "lirs", "lru", "mglru", "opt", "s3fifo"})
    void aWarmStreamingReplay_allocatesNextToNothingPerReference(String policy) {
        EffectiveConfig cfg = new ConfigLoader(catalog).load();
        int[] frames = {100, 700, 2000};
        Meter meter = new Meter();
        MrcStudy.Outcome o = MrcStudy.stream(() -> SyntheticTraceReader.open(TRACE), TRACE, Long.MAX_VALUE,
                List.of(MrcStudy.PolicySpec.parse(policy)), frames, catalog, cfg, 1, meter, -1, CHUNK);
        assertThat(o.distinctPages()).isEqualTo(3000);
        assertThat(meter.worker).as("the worker thread was seen").isPositive();
        long refs = meter.endRefs - meter.startRefs;
        assertThat(refs).isGreaterThan(800_000);
        double perRef = (double) (meter.endBytes - meter.startBytes) / refs / frames.length;
        assertThat(perRef).as("%s: bytes allocated per reference per pair once warm (%d bytes over %d references)",
                policy, meter.endBytes - meter.startBytes, refs).isLessThan(BOUND);
    }
}
