package io.vmsim.api;

/**
 * The page sizes of x86-64: a base page and the two leaf sizes of the page-table tree.
 * The {@link #order()} is the buddy order of a frame of that size (PMD = 9, PUD = 18).
 */
public enum PageSize {
    /** A 4 KiB base page, mapped by a PTE. */
    SIZE_4K(12, "4K"),
    /** A 2 MiB page, mapped by a PMD leaf (THP or hugetlbfs). */
    SIZE_2M(21, "2M"),
    /** A 1 GiB page, mapped by a PUD leaf (hugetlbfs). */
    SIZE_1G(30, "1G");

    private final int shift;
    private final String label;

    PageSize(int shift, String label) {
        this.shift = shift;
        this.label = label;
    }

    /** log2 of the size in bytes. */
    public int shift() {
        return shift;
    }

    /** The size in bytes. */
    public long bytes() {
        return 1L << shift;
    }

    /** The buddy order of a frame of this size: 0, 9 or 18. */
    public int order() {
        return shift - 12;
    }

    /** The short label used in reports: {@code 4K}, {@code 2M}, {@code 1G}. */
    public String label() {
        return label;
    }

    /** Parses a label such as {@code 4K}, {@code 2m} or {@code 1G}. */
    public static PageSize parse(String s) {
        for (PageSize p : values()) {
            if (p.label.equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("page size '" + s + "': expected one of 4K, 2M, 1G");
    }
}
