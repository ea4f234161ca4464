package io.vmsim.api.machine;

/** A read-only view of a virtual memory area ({@code struct vm_area_struct}). */
public interface VmaView {
    /** First byte of the area (page aligned). */
    long start();

    /** One past the last byte of the area (page aligned). */
    long end();

    /** The {@link io.vmsim.api.VmaFlags} bits. */
    long flags();

    /** Offset of {@link #start()} within the backing file or anonymous object, in pages. */
    long pgoff();

    /** True if anonymous (not backed by a file). */
    default boolean isAnon() {
        return (flags() & io.vmsim.api.VmaFlags.VM_ANON) != 0;
    }

    /** True if {@code flags} contains every bit of {@code mask}. */
    default boolean has(long mask) {
        return (flags() & mask) == mask;
    }

    /** True if {@code flags} contains any bit of {@code mask}. */
    default boolean hasAny(long mask) {
        return (flags() & mask) != 0;
    }
}
