package io.vmsim.core.shrinker;

import io.vmsim.core.vmstat.VmEvent;
import io.vmsim.core.vmstat.VmStat;

import java.util.ArrayList;
import java.util.List;

/**
 * The registered shrinkers and {@code shrink_slab()} ({@code mm/vmscan.c}, as in Linux 4.x):
 * after scanning {@code nr_scanned} of {@code nr_eligible} LRU pages, each shrinker with
 * {@code freeable} objects is asked to scan
 * <pre>
 *   delta      = (4 * nr_scanned / seeks) * freeable / (nr_eligible + 1)
 *   total_scan = nr_deferred + delta, at most freeable / 2 when delta &lt; freeable / 4,
 *                and at most 2 * freeable
 * </pre>
 * objects in batches of {@value #SHRINK_BATCH} while at least a batch (or everything) is
 * left; what was not scanned of {@code total_scan} is deferred to the next call ({@code nr_deferred}). Every object
 * scanned counts in {@code slabs_scanned}.
 */
public final class ShrinkerRegistry {
    /** {@code SHRINK_BATCH}. */
    public static final int SHRINK_BATCH = 128;
    /** {@code DEFAULT_SEEKS}. */
    public static final int DEFAULT_SEEKS = 2;

    private final VmStat vmstat;
    private final List<Shrinker> shrinkers = new ArrayList<>();
    private final List<long[]> deferred = new ArrayList<>();

    public ShrinkerRegistry(VmStat vmstat) {
        this.vmstat = vmstat;
    }

    /** {@code register_shrinker()}. */
    public void register(Shrinker s) {
        if (s.seeks() <= 0) {
            throw new IllegalArgumentException("shrinker " + s.name() + ": seeks must be positive, got " + s.seeks());
        }
        shrinkers.add(s);
        deferred.add(new long[1]);
    }

    public List<Shrinker> shrinkers() {
        return shrinkers;
    }

    /** {@code nr_deferred} of shrinker {@code i}. */
    public long deferred(int i) {
        return deferred.get(i)[0];
    }

    /** {@code shrink_slab()}: asks every shrinker; returns objects freed. */
    public long shrinkSlab(long nrScanned, long nrEligible) {
        long freed = 0;
        for (int i = 0; i < shrinkers.size(); i++) {
            freed += doShrinkSlab(shrinkers.get(i), deferred.get(i), nrScanned, nrEligible);
        }
        return freed;
    }

    private long doShrinkSlab(Shrinker s, long[] nrDeferred, long nrScanned, long nrEligible) {
        long freeable = s.countObjects();
        if (freeable == 0) {
            return 0;
        }
        long nr = nrDeferred[0];
        nrDeferred[0] = 0;
        long totalScan = nr;
        long delta = (4 * nrScanned) / s.seeks();
        delta *= freeable;
        delta /= nrEligible + 1;
        totalScan += delta;
        if (totalScan < 0) {
            totalScan = freeable;
        }
        // avoid draining a cache on a little LRU scanning just because a lot was deferred
        if (delta < freeable / 4) {
            totalScan = Math.min(totalScan, freeable / 2);
        }
        if (totalScan > freeable * 2) {
            totalScan = freeable * 2;
        }
        long nextDeferred = totalScan;
        long freed = 0;
        long scanned = 0;
        while (totalScan >= SHRINK_BATCH || totalScan >= freeable) {
            long nrToScan = Math.min(SHRINK_BATCH, totalScan);
            long ret = s.scanObjects(nrToScan);
            freed += ret;
            vmstat.add(VmEvent.SLABS_SCANNED, nrToScan);
            totalScan -= nrToScan;
            scanned += nrToScan;
            if (ret == 0 && nrToScan >= freeable) {
                break;
            }
        }
        nrDeferred[0] += Math.max(0, nextDeferred - scanned);
        return freed;
    }
}
