package io.vmsim.core.config;

import io.vmsim.api.policy.PolicyKind;

import java.nio.charset.StandardCharsets;

/**
 * The seed of a policy instance's random source: the run's seed, the policy's kind and name,
 * and its LRU domain, so instances are reproducible and independent of each other, and the two
 * engines of {@code vmsim mrc} give a policy the same random choices.
 */
public final class PolicySeeds {
    private PolicySeeds() {
    }

    /** Domain number of the instance for {@code node} in memory cgroup {@code memcg}. */
    public static long domain(int node, int memcg) {
        return 1 + node + 1024L * memcg;
    }

    /** The domain a replacement study's policy serves: node 0 of the first cgroup made (the {@code --machine} engine's). */
    public static final long STUDY_DOMAIN = domain(0, 1);

    public static long seed(long runSeed, PolicyKind kind, String name, long domain) {
        return runSeed ^ fnv(kind.configName() + "/" + name) ^ (domain * 0x9E3779B97F4A7C15L);
    }

    /** FNV-1a, so a policy's seed does not depend on String.hashCode's unspecified stability. */
    private static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
