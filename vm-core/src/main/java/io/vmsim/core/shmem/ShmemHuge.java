package io.vmsim.core.shmem;

import io.vmsim.api.VmaFlags;
import io.vmsim.api.machine.VmaView;

import java.util.List;

/**
 * Whether a shared anonymous mapping (shmem, {@code mm/shmem.c}) may be backed by a huge page,
 * per {@code /sys/kernel/mm/transparent_hugepage/shmem_enabled} as
 * {@code Documentation/admin-guide/mm/transhuge.rst} describes it ({@code shmem_is_huge()}):
 * {@code always}; {@code within_size} only where the huge page lies within the object's size;
 * {@code advise} only in {@code MADV_HUGEPAGE} areas; {@code never}; and the testing values
 * {@code deny} (off for every mount) and {@code force} (on for every mount, even
 * {@code MADV_NOHUGEPAGE}).
 *
 * <p>Simplification: a shared anonymous object is exactly as large as the mapping that created
 * it, so a PMD range the mapping covers is within its size and {@code within_size} acts as
 * {@code always}.
 */
public final class ShmemHuge {
    /** The values of {@code shmem_enabled}. */
    public static final List<String> MODES = List.of("always", "within_size", "advise", "never", "deny", "force");

    private ShmemHuge() {
    }

    /**
     * True if the PMD range at {@code haddr} of the shared area {@code vma} may be a huge page.
     *
     * @param mode the value of {@code shmem_enabled}
     */
    public static boolean allowed(String mode, VmaView vma, long haddr) {
        if ("force".equals(mode)) {
            return true;
        }
        if ((vma.flags() & VmaFlags.VM_NOHUGEPAGE) != 0) {
            return false;
        }
        return switch (mode) {
            case "always" -> true;
            case "within_size" -> haddr + (1L << 21) <= vma.end();
            case "advise" -> (vma.flags() & VmaFlags.VM_HUGEPAGE) != 0;
            case "never", "deny" -> false;
            default -> throw new IllegalArgumentException("shmem_enabled '" + mode + "': expected one of " + MODES);
        };
    }
}
