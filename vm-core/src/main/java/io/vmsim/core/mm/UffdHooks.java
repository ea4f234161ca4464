package io.vmsim.core.mm;

/**
 * What the core's generic paths tell userfaultfd ({@code io.vmsim.core.uffd}, issue 12): a fault
 * in an area registered with a userfaultfd, and the non-cooperative events (fork, mremap,
 * MADV_DONTNEED, munmap) of {@code fs/userfaultfd.c}. An interface here, implemented there, so
 * that {@code mm} and {@code fault} do not depend on that package; the defaults do nothing, as a
 * kernel built without {@code CONFIG_USERFAULTFD} (no area is ever registered then).
 */
public interface UffdHooks {
    /** {@code VM_UFFD_MINOR} (include/linux/mm.h, bit 41 on x86-64); the MISSING and WP flags are in {@link io.vmsim.api.VmaFlags}. */
    long VM_UFFD_MINOR = 1L << 41;
    /** {@code __VM_UFFD_FLAGS}: every userfaultfd mode of an area. */
    long VM_UFFD_FLAGS = io.vmsim.api.VmaFlags.VM_UFFD_MISSING | io.vmsim.api.VmaFlags.VM_UFFD_WP | VM_UFFD_MINOR;

    /** Hooks that do nothing. */
    UffdHooks NONE = new UffdHooks() {
    };

    /**
     * {@code handle_userfault()}: {@code task} faulted at {@code va} in {@code vma}, registered
     * for {@code reason} ({@link io.vmsim.api.VmaFlags#VM_UFFD_MISSING}, {@code VM_UFFD_WP} or
     * the MINOR flag of {@code io.vmsim.core.uffd.Uffd}). Returns once the monitor woke the task
     * (the fault is then retried), having charged the wait to the clock; throws a
     * {@link WorkloadException} for SIGBUS ({@code UFFD_FEATURE_SIGBUS}) or a task no monitor wakes.
     */
    default void fault(Task task, Vma vma, long va, boolean write, long reason) {
        throw new WorkloadException("userfaultfd is not configured");
    }

    /** {@code dup_userfaultfd()} and {@code dup_userfaultfd_complete()}: {@code child} was forked from {@code parent}. */
    default void forked(Mm parent, Mm child, int cpu) {
    }

    /** {@code mremap_userfaultfd_complete()}: {@code [from, from+oldLen)} moved to {@code to} with {@code newLen}. */
    default void remapped(Mm mm, long from, long to, long oldLen, long newLen) {
    }

    /** {@code userfaultfd_remove()}: MADV_DONTNEED (or MADV_REMOVE) dropped {@code [start, end)}. */
    default void removed(Mm mm, long start, long end) {
    }

    /** {@code userfaultfd_unmap_prep()} and {@code userfaultfd_unmap_complete()}: munmap of {@code [start, end)}. */
    default void unmapped(Mm mm, long start, long end) {
    }
}
