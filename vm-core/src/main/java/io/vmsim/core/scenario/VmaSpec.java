package io.vmsim.core.scenario;

import java.util.List;

/**
 * An area a process maps at start.
 *
 * @param name   the name phases use to refer to it
 * @param size   length in bytes (page aligned)
 * @param align  alignment of the start address in bytes (4096, 2M, 1G)
 * @param prot   protection: a subset of {@code rwx}, e.g. {@code rw}
 * @param shared true for MAP_SHARED
 * @param advice madvise advice applied after mapping: {@code hugepage}, {@code nohugepage}, {@code mergeable}
 * @param file   the scenario file it maps from its start, or null for anonymous memory (reclaim, issue 3)
 */
public record VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice,
                      String file) {
    public VmaSpec {
        advice = List.copyOf(advice);
    }

    /** An anonymous area. */
    public VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice) {
        this(name, size, align, prot, shared, advice, null);
    }
}
