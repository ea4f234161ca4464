package io.vmsim.core;

import io.vmsim.api.policy.DedupPolicy;
import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.MigrationPolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.ReclaimPolicy;

import java.util.List;

/**
 * The policies selected for a run, one of each kind.
 *
 * @param reclaim the reclaim policy
 * @param thp     the huge-page policy
 * @param numa    the NUMA placement policy
 * @param ksm       the deduplication policy
 * @param migration the live-migration policy (issue 12)
 */
public record Policies(ReclaimPolicy reclaim, HugePagePolicy thp, NumaPolicy numa, DedupPolicy ksm,
                       MigrationPolicy migration) {
    /** All five, for invariant checks. */
    public List<Policy> all() {
        return List.of(reclaim, thp, numa, ksm, migration);
    }
}
