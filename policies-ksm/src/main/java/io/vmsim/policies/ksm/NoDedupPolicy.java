package io.vmsim.policies.ksm;

import io.vmsim.api.policy.DedupPolicy;

/**
 * No deduplication: ksmd never runs, as with {@code /sys/kernel/mm/ksm/run} = 0
 * ({@code Documentation/admin-guide/mm/ksm.rst}). The baseline against which merging is measured.
 */
public final class NoDedupPolicy implements DedupPolicy {
    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public boolean shouldMerge(int candidatePfn, int stablePfn, int sharing) {
        return false;
    }
}
