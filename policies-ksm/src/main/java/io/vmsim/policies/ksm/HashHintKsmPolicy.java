package io.vmsim.policies.ksm;

import io.vmsim.api.policy.DedupPolicy;

import java.util.HashMap;
import java.util.Map;

/**
 * A hash-prioritised scanner in the spirit of UKSM (N. Xia, C. Tian, Y. Luo, H. Liu, X. Wang,
 * "UKSM: Swift Memory Deduplication via Hierarchical and Adaptive Memory Region Distilling",
 * USENIX FAST 2018): spend comparisons where duplicates are likely. It remembers how many pages
 * of each content checksum the previous full scan met; a page whose checksum was unique then is
 * compared only every {@code revisit} full scans, so a full scan reaches the duplicates sooner
 * (skipped pages do not count against {@code pages_to_scan}). The first two scans compare every
 * page, since the kernel needs two sightings to merge at all.
 *
 * <p>Simplification: UKSM samples regions and adapts per-region rates; this keeps only the
 * idea of ranking pages by how often their hash was seen.
 */
public final class HashHintKsmPolicy implements DedupPolicy {
    private final int revisit;
    private Map<Integer, Integer> previous = new HashMap<>();
    private Map<Integer, Integer> current = new HashMap<>();
    private long scans;

    public HashHintKsmPolicy(int revisit) {
        if (revisit < 1) {
            throw new IllegalArgumentException("revisit must be at least 1: " + revisit);
        }
        this.revisit = revisit;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean shouldScan(int pfn, int checksum, int age) {
        current.merge(checksum, 1, Integer::sum);
        if (scans < 2 || scans % revisit == 0) {
            return true;
        }
        return previous.getOrDefault(checksum, 0) > 1 || current.get(checksum) > 1;
    }

    @Override
    public void fullScanDone(long fullScans) {
        scans = fullScans;
        previous = current;
        current = new HashMap<>();
    }

    @Override
    public void verifyInvariants() {
        for (int n : current.values()) {
            if (n <= 0) {
                throw new IllegalStateException("hash-hint: a checksum counted " + n + " times");
            }
        }
    }
}
