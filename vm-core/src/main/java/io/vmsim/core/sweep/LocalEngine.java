package io.vmsim.core.sweep;

import io.vmsim.core.MachineLimits;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.scenario.ScenarioCatalog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runs points in a pool of threads of this JVM: as many as the machine has cores (or
 * {@code --jobs}), and no more at once than the heap holds. Each point's heap need is estimated
 * as a run checks it before building its machine ({@link MachineLimits#heapEstimate}: the frames
 * of {@code machine.memory} and the swap slots, and a fixed part); a point whose need does not
 * fit beside those running waits for them to finish (one point always runs, however large).
 */
public final class LocalEngine implements SweepEngine {
    /** Heap kept for the sweep itself: the plan, the results, the policy catalog. */
    static final long RESERVED_HEAP = 64L << 20;

    private final long maxHeap;

    /** An engine sized to this JVM's maximum heap. */
    public LocalEngine() {
        this(Runtime.getRuntime().maxMemory());
    }

    /** An engine that takes {@code maxHeap} bytes as the heap it may fill (tests). */
    public LocalEngine(long maxHeap) {
        this.maxHeap = maxHeap;
    }

    @Override
    public String name() {
        return "local";
    }

    /** Points at once: {@code jobs} if positive, else the number of cores. */
    public static int threads(int jobs) {
        return jobs > 0 ? jobs : Runtime.getRuntime().availableProcessors();
    }

    @Override
    public void run(SweepJob job, List<SweepPoint> points, PolicyCatalog catalog, Options options,
                    Consumer<PointResult> done) throws Exception {
        int n = Math.max(1, Math.min(threads(options.jobs()), points.size()));
        HeapBudget budget = new HeapBudget(Math.max(1, maxHeap - RESERVED_HEAP));
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "sweep-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < n; w++) {
                workers.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < points.size(); ) {
                        SweepPoint p = points.get(i);
                        long need = heapNeed(job, p, catalog);
                        budget.acquire(need);
                        PointResult r;
                        try {
                            r = PointRunner.run(job, p, catalog, UnaryOperator.identity());
                        } finally {
                            budget.release(need);
                        }
                        synchronized (done) {
                            done.accept(r);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The heap a point's machine needs by the run's own estimate; the fixed part when its config cannot be read. */
    static long heapNeed(SweepJob job, SweepPoint p, PolicyCatalog catalog) {
        try {
            SweepJob.Workload w = p.workload();
            return MachineLimits.heapEstimate(SweepPlan.config(job, w,
                    w.trace() ? null : ScenarioCatalog.resolve(w.ref()), p.assignments(), catalog));
        } catch (Exception e) {
            return MachineLimits.FIXED_HEAP_BYTES; // the point fails when it runs, and says why
        }
    }

    /** Bytes of heap handed to running points; a point waits until its need fits, or nothing else runs. */
    static final class HeapBudget {
        private final long total;
        private long used;
        private int running;

        HeapBudget(long total) {
            this.total = total;
        }

        synchronized void acquire(long need) throws InterruptedException {
            while (running > 0 && used + need > total) {
                wait();
            }
            used += need;
            running++;
        }

        synchronized void release(long need) {
            used -= need;
            running--;
            notifyAll();
        }

        synchronized long used() {
            return used;
        }
    }
}
