package io.vmsim.core.shrinker;

/**
 * A cache that reclaim can shrink ({@code struct shrinker}, {@code include/linux/shrinker.h}):
 * it says how many objects it could free and frees some on request. {@code seeks} is how
 * costly an object is to recreate ({@code DEFAULT_SEEKS} = 2); reclaim scans a cache in
 * proportion to the LRU pages it scanned and inversely to its seeks (seeds/002).
 */
public interface Shrinker {
    /** The name, as in {@code /proc/slabinfo}. */
    String name();

    /** Cost of recreating an object, in disk seeks ({@code shrinker->seeks}). */
    int seeks();

    /** {@code count_objects()}: objects that could be freed now. */
    long countObjects();

    /** {@code scan_objects()}: frees up to {@code nr} objects; returns how many were freed. */
    long scanObjects(long nr);
}
