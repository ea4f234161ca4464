package io.vmsim.api;

/**
 * Bits of a VMA's flags, named and numbered as Linux's {@code VM_*} constants in
 * {@code include/linux/mm.h} where Linux has them.
 */
public final class VmaFlags {
    private VmaFlags() {
    }

    public static final long VM_READ = 0x1L;
    public static final long VM_WRITE = 0x2L;
    public static final long VM_EXEC = 0x4L;
    public static final long VM_SHARED = 0x8L;
    public static final long VM_MAYREAD = 0x10L;
    public static final long VM_MAYWRITE = 0x20L;
    public static final long VM_MAYEXEC = 0x40L;
    public static final long VM_MAYSHARE = 0x80L;
    public static final long VM_GROWSDOWN = 0x100L;
    public static final long VM_UFFD_MISSING = 0x200L;
    public static final long VM_PFNMAP = 0x400L;
    public static final long VM_UFFD_WP = 0x1000L;
    public static final long VM_LOCKED = 0x2000L;
    public static final long VM_IO = 0x4000L;
    public static final long VM_SEQ_READ = 0x8000L;
    public static final long VM_RAND_READ = 0x10000L;
    public static final long VM_DONTCOPY = 0x20000L;
    public static final long VM_DONTEXPAND = 0x40000L;
    public static final long VM_ACCOUNT = 0x100000L;
    public static final long VM_NORESERVE = 0x200000L;
    public static final long VM_HUGETLB = 0x400000L;
    public static final long VM_HUGEPAGE = 0x20000000L;
    public static final long VM_NOHUGEPAGE = 0x40000000L;
    public static final long VM_MERGEABLE = 0x80000000L;
    /** Not a Linux bit: marks an anonymous (not file-backed) mapping, which Linux infers from {@code vma->vm_file == NULL}. */
    public static final long VM_ANON = 1L << 40;

    /** Renders flags as the two-letter mnemonics of {@code /proc/PID/smaps} "VmFlags:". */
    public static String describe(long flags) {
        StringBuilder sb = new StringBuilder();
        append(sb, flags, VM_READ, "rd");
        append(sb, flags, VM_WRITE, "wr");
        append(sb, flags, VM_EXEC, "ex");
        append(sb, flags, VM_SHARED, "sh");
        append(sb, flags, VM_LOCKED, "lo");
        append(sb, flags, VM_HUGETLB, "ht");
        append(sb, flags, VM_HUGEPAGE, "hg");
        append(sb, flags, VM_NOHUGEPAGE, "nh");
        append(sb, flags, VM_MERGEABLE, "mg");
        append(sb, flags, VM_UFFD_MISSING, "um");
        append(sb, flags, VM_UFFD_WP, "uw");
        return sb.toString().trim();
    }

    private static void append(StringBuilder sb, long flags, long bit, String name) {
        if ((flags & bit) != 0) {
            sb.append(name).append(' ');
        }
    }
}
