package io.vmsim.core.pgtable;

/**
 * The bits of a page-table entry at any level, laid out as x86-64 lays them out
 * ({@code arch/x86/include/asm/pgtable_types.h}): present, writable, user, accessed, dirty,
 * PSE (a PMD or PUD leaf), and the software bits Linux uses (special, uffd-wp, soft-dirty).
 * The page-frame number sits in bits 12..51. A non-present entry with {@link #SWAP} set is a
 * swap entry: type in bits 1..5, offset in bits 12..50.
 */
public final class Pte {
    private Pte() {
    }

    public static final long PRESENT = 1L;
    public static final long RW = 1L << 1;
    public static final long USER = 1L << 2;
    public static final long ACCESSED = 1L << 5;
    public static final long DIRTY = 1L << 6;
    /** PSE: this PMD or PUD entry maps a huge page. */
    public static final long HUGE = 1L << 7;
    /**
     * _PAGE_PROTNONE (the global bit reused): with PRESENT clear, a page mapped in a PROT_NONE
     * area (or a NUMA hinting entry). The MMU faults on it; the kernel still treats it as present.
     */
    public static final long PROTNONE = 1L << 8;
    /** _PAGE_SPECIAL: maps a page without a struct page refcount, e.g. the shared zero page. */
    public static final long SPECIAL = 1L << 9;
    /** _PAGE_UFFD_WP. */
    public static final long UFFD_WP = 1L << 10;
    /** _PAGE_SOFT_DIRTY. */
    public static final long SOFT_DIRTY = 1L << 11;
    /** Marks a non-present swap entry (a simulator encoding; x86 uses the free bits similarly). */
    public static final long SWAP = 1L << 62;
    public static final long NX = 1L << 63;

    private static final long PFN_MASK = ((1L << 52) - 1) & ~((1L << 12) - 1);

    /** Bits of an entry that points at a lower-level table: Linux's _PAGE_TABLE. */
    public static final long TABLE_BITS = PRESENT | RW | USER | ACCESSED | DIRTY;

    public static long make(int pfn, long bits) {
        return ((long) pfn << 12) | bits;
    }

    public static int pfn(long e) {
        return (int) ((e & PFN_MASK) >>> 12);
    }

    /**
     * The kernel's {@code pte_present()} (arch/x86/include/asm/pgtable.h): true for a PROT_NONE
     * entry too, whose page is still mapped. The MMU looks at {@link #PRESENT} alone.
     */
    public static boolean present(long e) {
        return (e & (PRESENT | PROTNONE)) != 0;
    }

    /** {@code pte_protnone()}: mapped, but inaccessible to the hardware. */
    public static boolean protnone(long e) {
        return (e & (PRESENT | PROTNONE)) == PROTNONE;
    }

    /** The entry made inaccessible ({@code pte_modify(pte, PAGE_NONE)}): PRESENT and RW cleared, PROTNONE set. */
    public static long mkProtnone(long e) {
        return (e & ~(PRESENT | RW)) | PROTNONE;
    }

    /** A PROT_NONE entry made accessible again, read-only: a write faults and the fault decides ({@code do_wp_page()}). */
    public static long clearProtnone(long e) {
        return (e & ~PROTNONE) | PRESENT;
    }

    public static boolean none(long e) {
        return e == 0;
    }

    public static boolean writable(long e) {
        return (e & RW) != 0;
    }

    public static boolean huge(long e) {
        return (e & HUGE) != 0;
    }

    public static boolean isSwap(long e) {
        return (e & (SWAP | PRESENT)) == SWAP;
    }

    /**
     * The swap slot of swap PTE {@code e} without the uffd-wp bit a swap PTE may carry
     * ({@link #UFFD_WP}, kept across swap-out as {@code pte_swp_mkuffd_wp()} keeps it): the value
     * to key or compare slots by.
     */
    public static long swapSlot(long e) {
        return e & ~UFFD_WP;
    }

    public static long swapEntry(int type, long offset) {
        return SWAP | ((long) (type & 31) << 1) | (offset << 12);
    }

    public static int swapType(long e) {
        return (int) ((e >>> 1) & 31);
    }

    public static long swapOffset(long e) {
        return (e & ~SWAP & ~NX) >>> 12;
    }

    /** Index of {@code vaddr} in a table at {@code level} (1 = PTE, 2 = PMD, 3 = PUD, 4 = P4D/PGD, 5 = PGD). */
    public static int index(long vaddr, int level) {
        return (int) (vaddr >>> (3 + 9 * level)) & 511;
    }

    /** Bytes mapped by one entry at {@code level}: 4K, 2M, 1G, 512G, 256T. */
    public static long span(int level) {
        return 1L << (3 + 9 * level);
    }
}
