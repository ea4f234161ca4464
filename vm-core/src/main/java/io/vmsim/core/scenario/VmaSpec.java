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
 * @param hugetlb 0, or the hugetlbfs page size (2M or 1G) of a {@code MAP_HUGETLB} area (THP, issue 5)
 * @param file   the scenario file it maps from its start, or null for anonymous memory (reclaim, issue 3)
 * @param mempolicy the area's memory policy, applied by mbind() after mapping, or null (mempolicy, issue 10)
 */
public record VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice,
                      long hugetlb, String file, MempolicySpec mempolicy) {
    public VmaSpec {
        advice = List.copyOf(advice);
    }

    /** An area with the default memory policy. */
    public VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice,
                   long hugetlb, String file) {
        this(name, size, align, prot, shared, advice, hugetlb, file, null);
    }

    /** An anonymous area without hugetlbfs pages. */
    public VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice) {
        this(name, size, align, prot, shared, advice, 0, null);
    }

    /** An anonymous area, of hugetlbfs pages of size {@code hugetlb} if it is not 0 (THP, issue 5). */
    public VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice, long hugetlb) {
        this(name, size, align, prot, shared, advice, hugetlb, null);
    }

    /** An area mapping scenario file {@code file}, or anonymous if null (reclaim, issue 3). */
    public VmaSpec(String name, long size, long align, String prot, boolean shared, List<String> advice, String file) {
        this(name, size, align, prot, shared, advice, 0, file);
    }
}
