package io.vmsim.policies.lru;

import io.vmsim.api.config.ConfigKey;
import io.vmsim.api.policy.Policy;
import io.vmsim.api.policy.PolicyContext;
import io.vmsim.api.policy.PolicyKind;
import io.vmsim.api.policy.PolicyProvider;

import java.util.List;

/** Provides {@link S3FifoPolicy} as reclaim policy {@code s3fifo}. */
public final class S3FifoProvider implements PolicyProvider {
    @Override
    public String name() {
        return "s3fifo";
    }

    @Override
    public PolicyKind kind() {
        return PolicyKind.RECLAIM;
    }

    @Override
    public String description() {
        return "S3-FIFO: a small FIFO filters one-hit wonders before a main FIFO, with a ghost queue (Yang et al., SOSP 2023).";
    }

    @Override
    public List<ConfigKey> configKeys() {
        return List.of(ConfigKey.real("small_ratio", 0.1, 0.01, 0.9,
                        "Share of the frames for the small FIFO queue; the paper uses 10%."),
                ConfigKey.integer("promote_hits", 1, 1, 3,
                        "Hits in the small queue that move a page to the main queue: 1 in the paper, 2 in libCacheSim."),
                ConfigKey.bool("clear_count_on_promotion", false,
                        "Whether a page promoted from the small to the main queue starts with its count cleared, as in libCacheSim (true), or keeps it, as in the paper (false)."));
    }

    @Override
    public Policy create(PolicyContext context) {
        return new S3FifoPolicy(context.pageLists(), context.machine().frames(), Math.toIntExact(context.capacity()),
                context.settings().getDouble("small_ratio"), (int) context.settings().getLong("promote_hits"),
                context.settings().getBoolean("clear_count_on_promotion"));
    }
}
