package io.vmsim.core.filemap;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.SyscallError;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code msync()} ({@code mm/msync.c}, Linux 6.18) and {@code fsync()}.
 *
 * <p>Flags, joined by {@code |}: {@code sync} (MS_SYNC), {@code async} (MS_ASYNC),
 * {@code invalidate} (MS_INVALIDATE). EINVAL: an unknown flag, an unaligned start, or
 * {@code sync} with {@code async}. The length is rounded up to pages; an empty range does
 * nothing. With {@code sync}, every part of the range in a shared file mapping is written back
 * and waited for ({@code vfs_fsync_range()} of the file range it maps, {@link Writeback}); a
 * private or anonymous area is skipped; {@code async} and {@code invalidate} write nothing (dirty
 * shared pages are tracked through their PTEs since 2.6.19, so MS_ASYNC has nothing to start).
 * {@code invalidate} on a {@code VM_LOCKED} area is EBUSY. Unmapped gaps in the range give ENOMEM
 * after the mapped parts were synced (at once with {@code async} alone).
 */
public final class Msync {
    /** The flag names. */
    public static final List<String> FLAGS = List.of("sync", "async", "invalidate");

    private final Writeback writeback;

    public Msync(Kernel kernel, PageCache cache) {
        this.writeback = new Writeback(kernel, cache);
    }

    /** {@code msync(addr, len, flags)}; returns the pages written. */
    public long msync(Mm mm, long addr, long len, String flags) {
        Set<String> f = new HashSet<>(List.of(flags.isEmpty() ? new String[0] : flags.split("\\|")));
        for (String s : f) {
            if (!FLAGS.contains(s)) {
                throw new IllegalArgumentException("msync flag '" + s + "': EINVAL (expected " + String.join(", ", FLAGS) + ")");
            }
        }
        if ((addr & 4095) != 0) {
            throw new IllegalArgumentException(String.format("msync(0x%x, %d): EINVAL (start not page-aligned)", addr, len));
        }
        if (f.contains("sync") && f.contains("async")) {
            throw new IllegalArgumentException("msync: EINVAL (MS_SYNC with MS_ASYNC)");
        }
        long end = addr + ((len + 4095) & -4096L);
        if (len < 0 || end < addr) {
            throw new WorkloadException(String.format("msync(0x%x, %d): ENOMEM (the range wraps)", addr, len));
        }
        boolean asyncOnly = f.equals(Set.of("async"));
        long start = addr;
        boolean unmapped = false;
        long written = 0;
        while (start < end) {
            Vma v = findVma(mm, start);
            if (v == null) {
                unmapped = true;
                break;
            }
            if (start < v.start()) {
                unmapped = true;
                if (asyncOnly) {
                    break;
                }
                start = v.start();
                if (start >= end) {
                    break;
                }
            }
            if (f.contains("invalidate") && v.has(VmaFlags.VM_LOCKED)) {
                throw new SyscallError("EBUSY", String.format("msync(0x%x, %d, MS_INVALIDATE): EBUSY (locked area %s)", addr, len, v));
            }
            long stop = Math.min(end, v.end());
            if (f.contains("sync") && v.file() > 0 && v.has(VmaFlags.VM_SHARED)) {
                written += writeback.writeRange(v.file(), v.linearIndex(start), v.linearIndex(stop - 1), true);
            }
            start = v.end();
        }
        if (unmapped) {
            throw new WorkloadException(String.format("msync(0x%x, %d): ENOMEM (part of the range is not mapped)", addr, len));
        }
        return written;
    }

    /** {@code fsync(fd)}: writes every dirty page of {@code file} back and waits; returns the pages written. */
    public long fsync(int file) {
        return writeback.writeRange(file, 0, Long.MAX_VALUE, true);
    }

    /** {@code find_vma()}: the first area ending above {@code addr}, or null. */
    private static Vma findVma(Mm mm, long addr) {
        for (Vma v : mm.vmas()) {
            if (v.end() > addr) {
                return v;
            }
        }
        return null;
    }
}
