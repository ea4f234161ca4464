package io.vmsim.core.uffd;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.mm.UffdHooks;

/**
 * The constants of {@code include/uapi/linux/userfaultfd.h} (Linux 6.18), with their values, and
 * the errno values the {@link Userfaultfd} calls return negated, as the kernel's ioctls do.
 */
public final class Uffd {
    private Uffd() {
    }

    /** {@code UFFD_API}: the only API version. */
    public static final long UFFD_API = 0xAA;

    // features (struct uffdio_api.features)
    public static final long UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1L << 0;
    public static final long UFFD_FEATURE_EVENT_FORK = 1L << 1;
    public static final long UFFD_FEATURE_EVENT_REMAP = 1L << 2;
    public static final long UFFD_FEATURE_EVENT_REMOVE = 1L << 3;
    public static final long UFFD_FEATURE_MISSING_HUGETLBFS = 1L << 4;
    public static final long UFFD_FEATURE_MISSING_SHMEM = 1L << 5;
    public static final long UFFD_FEATURE_EVENT_UNMAP = 1L << 6;
    public static final long UFFD_FEATURE_SIGBUS = 1L << 7;
    public static final long UFFD_FEATURE_THREAD_ID = 1L << 8;
    public static final long UFFD_FEATURE_MINOR_HUGETLBFS = 1L << 9;
    public static final long UFFD_FEATURE_MINOR_SHMEM = 1L << 10;
    public static final long UFFD_FEATURE_EXACT_ADDRESS = 1L << 11;
    public static final long UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1L << 12;
    /**
     * The features vmsim implements, which {@link Userfaultfd#api} reports: every feature above.
     * Linux 6.18 also has WP_UNPOPULATED, POISON, WP_ASYNC and MOVE (bits 13 to 16), which vmsim
     * does not model; asking for them is EINVAL, as asking for an unknown bit is.
     */
    public static final long UFFD_API_FEATURES = (1L << 13) - 1;

    // struct uffd_msg.event
    public static final int UFFD_EVENT_PAGEFAULT = 0x12;
    public static final int UFFD_EVENT_FORK = 0x13;
    public static final int UFFD_EVENT_REMAP = 0x14;
    public static final int UFFD_EVENT_REMOVE = 0x15;
    public static final int UFFD_EVENT_UNMAP = 0x16;

    // struct uffd_msg.arg.pagefault.flags
    public static final long UFFD_PAGEFAULT_FLAG_WRITE = 1L << 0;
    public static final long UFFD_PAGEFAULT_FLAG_WP = 1L << 1;
    public static final long UFFD_PAGEFAULT_FLAG_MINOR = 1L << 2;

    // struct uffdio_register.mode
    public static final long UFFDIO_REGISTER_MODE_MISSING = 1L << 0;
    public static final long UFFDIO_REGISTER_MODE_WP = 1L << 1;
    public static final long UFFDIO_REGISTER_MODE_MINOR = 1L << 2;

    // modes of the range ioctls
    public static final long UFFDIO_COPY_MODE_DONTWAKE = 1L << 0;
    public static final long UFFDIO_COPY_MODE_WP = 1L << 1;
    public static final long UFFDIO_ZEROPAGE_MODE_DONTWAKE = 1L << 0;
    public static final long UFFDIO_WRITEPROTECT_MODE_WP = 1L << 0;
    public static final long UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 1L << 1;
    public static final long UFFDIO_CONTINUE_MODE_DONTWAKE = 1L << 0;
    public static final long UFFDIO_CONTINUE_MODE_WP = 1L << 1;

    // struct uffdio_register.ioctls: bits by ioctl number (_UFFDIO_*)
    public static final long UFFDIO_WAKE_BIT = 1L << 0x02;
    public static final long UFFDIO_COPY_BIT = 1L << 0x03;
    public static final long UFFDIO_ZEROPAGE_BIT = 1L << 0x04;
    public static final long UFFDIO_WRITEPROTECT_BIT = 1L << 0x06;
    public static final long UFFDIO_CONTINUE_BIT = 1L << 0x07;

    /** The VMA flags of the three modes ({@code VM_UFFD_MISSING}, {@code VM_UFFD_WP}, {@code VM_UFFD_MINOR}). */
    public static final long VM_UFFD_MISSING = VmaFlags.VM_UFFD_MISSING;
    public static final long VM_UFFD_WP = VmaFlags.VM_UFFD_WP;
    public static final long VM_UFFD_MINOR = UffdHooks.VM_UFFD_MINOR;
    public static final long VM_UFFD_FLAGS = UffdHooks.VM_UFFD_FLAGS;

    // errno values (include/uapi/asm-generic/errno-base.h); calls return them negated
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;

    /** The name of an errno value ({@code EEXIST}), or its number. */
    public static String errnoName(long errno) {
        return switch ((int) Math.abs(errno)) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case ESRCH -> "ESRCH";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            default -> Long.toString(Math.abs(errno));
        };
    }

    /** The name of an event ({@code PAGEFAULT}, {@code FORK}, ...). */
    public static String eventName(int event) {
        return switch (event) {
            case UFFD_EVENT_PAGEFAULT -> "PAGEFAULT";
            case UFFD_EVENT_FORK -> "FORK";
            case UFFD_EVENT_REMAP -> "REMAP";
            case UFFD_EVENT_REMOVE -> "REMOVE";
            case UFFD_EVENT_UNMAP -> "UNMAP";
            default -> "0x" + Integer.toHexString(event);
        };
    }
}
