package io.vmsim.core.scenario;

/**
 * A memory cgroup of a scenario (reclaim, issue 3).
 *
 * @param name       the name processes use to join it
 * @param memoryMax  {@code memory.max} in bytes, or {@link Long#MAX_VALUE} for {@code max}
 * @param memoryHigh {@code memory.high} in bytes, or {@link Long#MAX_VALUE} for {@code max}
 */
public record CgroupSpec(String name, long memoryMax, long memoryHigh) {
}
