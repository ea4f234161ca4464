package io.vmsim.core.conformance;

import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernel objects the conformance probe's own reads charge to the reading task's memory
 * cgroup (conformance/probes/harness.c): its reads of {@code /proc/vmstat} around each measured
 * op, and the reads {@code observe()} makes, of {@code /proc/self/maps}, {@code smaps_rollup},
 * {@code smaps}, {@code pagemap} and the group's files. Each is opened, read to its end and
 * closed, as {@code read_file()} does.
 *
 * <p>A read's own objects (the struct file, the seq_file and its buffer, a {@code pde_opener})
 * are freed at close, but are charged while the value is taken, and a charge at the group's
 * limit reclaims. A path's first lookup leaves its dentry and inode in the dcache, charged to
 * the group for as long as they are cached: a {@code /proc/<pid>} entry until the task is
 * reaped, a cgroup file for the life of the case. conformance/kmem/observe-reads.c recorded what
 * these reads leave on Linux 6.18.44 (conformance/kmem/observe-reads.json): 37 first lookups in
 * {@code /proc/self} 8 pages, one pass of observe()'s reads 2 pages (in 4 of 5 runs), a second
 * pass nothing.
 */
public final class ProbeReads {
    private final Kernel k;
    /** The paths looked up, with the group charged and the size of the inode. */
    private final Map<String, int[]> dcache = new LinkedHashMap<>();

    public ProbeReads(Kernel k) {
        this.k = k;
    }

    /**
     * A read of {@code /proc/self/<name>} by process {@code proc}'s task {@code t}: the first
     * lookups of {@code /proc/<pid>} and of the entry, then the read (a seq_file).
     */
    public void procFile(Task t, String proc, String name) {
        lookupProc(t, proc, name);
        readSeqFile(t, 0, () -> { });
    }

    /**
     * A read of the case's memory cgroup file {@code name} (its first lookup puts a kernfs
     * dentry and inode in the dcache); {@code value} is taken while the read's objects are charged.
     */
    public void groupFile(Task t, String name, Runnable value) {
        lookup(t, "cgroup/" + name, AccountedSlabs.INODE);
        readSeqFile(t, 0, value);
    }

    /**
     * A read of {@code /proc/vmstat} (harness.c vmstat_read()): a struct file, a
     * {@code pde_opener}, the seq_file and its buffer; the entry's dentry was looked up long before.
     */
    public void vmstat(Task t) {
        readSeqFile(t, AccountedSlabs.PDE_OPENER, () -> { });
    }

    /**
     * harness.c observe_map(): opens {@code /proc/self/pagemap} (its first lookup),
     * {@code /proc/kpageflags} and {@code /proc/kpagecount}, whose reads allocate nothing
     * accounted; returns what {@link #close} frees.
     */
    public int[] openPagemap(Task t, String proc) {
        lookupProc(t, proc, "pagemap");
        int[] filps = new int[3];
        for (int i = 0; i < filps.length; i++) {
            filps[i] = k.hooks.chargeSlabObject(t.mm(), AccountedSlabs.FILP, t.cpu());
        }
        return filps;
    }

    /** Closes the files {@link #openPagemap} opened. */
    public void close(Task t, int[] filps) {
        for (int i = filps.length - 1; i >= 0; i--) {
            k.hooks.unchargeSlabObject(filps[i], AccountedSlabs.FILP, t.cpu());
        }
    }

    /**
     * {@code release_task()} of reaped process {@code proc}: {@code proc_flush_pid()} drops its
     * {@code /proc/<pid>} dentries, freed with their proc inodes after an RCU grace period
     * ({@code __d_free()}, {@code proc_free_inode()}).
     */
    public void reaped(String proc, int cpu) {
        String prefix = "/proc/" + proc;
        dcache.entrySet().removeIf(e -> {
            if (!e.getKey().equals(prefix) && !e.getKey().startsWith(prefix + "/")) {
                return false;
            }
            k.hooks.unchargeSlabObjectRcu(e.getValue()[0], AccountedSlabs.DENTRY, cpu);
            k.hooks.unchargeSlabObjectRcu(e.getValue()[0], e.getValue()[1], cpu);
            return true;
        });
    }

    /** The lookups of {@code /proc/<pid>} and of its entry {@code name}, for process {@code proc}. */
    private void lookupProc(Task t, String proc, String name) {
        lookup(t, "/proc/" + proc, AccountedSlabs.PROC_INODE);
        lookup(t, "/proc/" + proc + "/" + name, AccountedSlabs.PROC_INODE);
    }

    /**
     * A path's first lookup: {@code d_alloc()}, then the file system's inode, both charged to
     * {@code t}'s group ({@code dentry_cache}, {@code proc_inode_cache} and {@code inode_cache}
     * are SLAB_ACCOUNT) and kept in the dcache. Later lookups find them there.
     */
    public void lookup(Task t, String path, int inodeSize) {
        if (!dcache.containsKey(path)) {
            int cg = k.hooks.chargeSlabObject(t.mm(), AccountedSlabs.DENTRY, t.cpu());
            k.hooks.chargeSlabObject(t.mm(), inodeSize, t.cpu());
            dcache.put(path, new int[] {cg, inodeSize});
        }
    }

    /**
     * Open (a struct file, {@code alloc_empty_file()}; then {@code opener} bytes if not 0), the
     * seq_file ({@code seq_open()}), the first {@code read()}'s buffer ({@code seq_buf_alloc()},
     * {@code kvmalloc(PAGE_SIZE, GFP_KERNEL_ACCOUNT)}, fs/seq_file.c), {@code value}, and
     * {@code close()} ({@code __fput()}: {@code seq_release()}, {@code file_free()}).
     */
    private void readSeqFile(Task t, int opener, Runnable value) {
        int filp = k.hooks.chargeSlabObject(t.mm(), AccountedSlabs.FILP, t.cpu());
        int pdeo = opener == 0 ? 0 : k.hooks.chargeSlabObject(t.mm(), opener, t.cpu());
        int seq = k.hooks.chargeSlabObject(t.mm(), AccountedSlabs.SEQ_FILE, t.cpu());
        int buf = k.hooks.chargeSlabObject(t.mm(), AccountedSlabs.SEQ_FILE_BUF, t.cpu());
        value.run();
        k.hooks.unchargeSlabObject(buf, AccountedSlabs.SEQ_FILE_BUF, t.cpu());
        k.hooks.unchargeSlabObject(seq, AccountedSlabs.SEQ_FILE, t.cpu());
        if (opener != 0) {
            k.hooks.unchargeSlabObject(pdeo, opener, t.cpu());
        }
        k.hooks.unchargeSlabObject(filp, AccountedSlabs.FILP, t.cpu());
    }
}
