package io.vmsim.core.scenario;

/**
 * A file of a scenario, created in the page cache when the scenario starts, uncached (reclaim, issue 3).
 *
 * @param name the name phases and VMAs use to refer to it
 * @param size   length in bytes (page aligned)
 * @param random true for {@code posix_fadvise(POSIX_FADV_RANDOM)}: no readahead on this file
 */
public record FileSpec(String name, long size, boolean random) {
}
