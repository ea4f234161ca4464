package io.vmsim.core.scenario;

import java.util.Locale;

/** What a phase does. The YAML name is the lower-case constant name ({@code memset}, {@code nested_walk}). */
public enum PhaseOp {
    /** Touch every {@code stride} bytes of the range in order, {@code repeat} times. */
    SEQUENTIAL,
    /** {@code count} uniformly random references to pages of the range. */
    RANDOM,
    /** {@code count} references to pages of the range with Zipf({@code zipf_s}) popularity. */
    ZIPF,
    /** Touch the range with a fixed {@code stride}, in order; as SEQUENTIAL but meant for page-sized strides. */
    STRIDED,
    /** Write every byte of the range (a memset): one write reference per {@code stride} bytes plus store bandwidth. */
    MEMSET,
    /** fork(): the process gets a child that shares its memory copy-on-write. */
    FORK,
    /** madvise() the range with {@code advice}. */
    MADVISE,
    /** munmap() the range. */
    MUNMAP,
    /** mprotect() the range to {@code prot}. */
    MPROTECT,
    /** Let {@code duration_ns} of simulated time pass. */
    SLEEP,
    /** The process exits and its memory is freed. */
    EXIT,
    /** Measure page-walk references per TLB miss, native and nested (EPT/NPT), with cold walk caches. */
    NESTED_WALK,
    // THP (issue 5)
    /** The kernel allocates {@code length} bytes of unmovable order-0 pages (slab-like) and keeps them for the run. */
    KERNEL_ALLOC,
    /** madvise(MADV_DONTNEED) the first half of every {@code stride} bytes of the range: partial frees that fragment memory. */
    PUNCH_HOLES,
    // reclaim (issue 3)
    /** read() the range of {@code file} page by page, {@code repeat} times, through the page cache. */
    READ,
    /** write() whole pages of the range of {@code file}, dirtying them in the page cache. */
    WRITE,
    /** mlock() the range: its pages are faulted in and never reclaimed. */
    MLOCK,
    /** stat() {@code count} files never looked up before: fills the dentry and inode slab caches. */
    STAT,
    /** posix_fadvise() the range of {@code file} with {@code advice} (normal, random, sequential, willneed, dontneed). */
    FADVISE,
    /** ftruncate() {@code file} to {@code length} bytes: pages past the new end leave the cache and every mapping. */
    FTRUNCATE,
    /** fsync() {@code file}: every dirty page is written back and waited for. */
    FSYNC,
    /** msync() the range of a VMA with {@code flags} (sync, async, invalidate). */
    MSYNC,
    /** munlock() the range: VM_LOCKED goes and its pages become evictable again. */
    MUNLOCK,
    // mempolicy (issue 10)
    /** set_mempolicy() of the thread ({@code thread}) or of every thread of the process: {@code mode}, {@code nodes}, {@code weights}. */
    SET_MEMPOLICY,
    /** mbind() the range to {@code mode}/{@code nodes}; {@code move: true} is MPOL_MF_MOVE. */
    MBIND,
    /** migrate_pages() of the process's pages from nodes {@code from} to nodes {@code to}. */
    MIGRATE_PAGES,
    /** move_pages() of every page of the range to {@code node}. */
    MOVE_PAGES,
    /** NUMA (issue 10): access phases of several threads run at once, interleaved reference by reference. */
    PARALLEL,
    // KSM (issue 11)
    /** prctl(PR_SET_MEMORY_MERGE, {@code memory_merge}): KSM may merge all the process's private memory, or no longer. */
    PRCTL,
    // userfaultfd (issue 12)
    /** userfaultfd() and UFFDIO_API with {@code features}, read by a monitor thread resolving each fault after {@code latency_ns} plus the page at {@code bandwidth_mbps}. */
    USERFAULTFD,
    /** UFFDIO_REGISTER of the range with the process's userfaultfd in {@code mode} ({@code missing}, {@code wp}, {@code minor}, joined by |). */
    UFFD_REGISTER,
    /** UFFDIO_UNREGISTER of the range. */
    UFFD_UNREGISTER,
    /** UFFDIO_WRITEPROTECT of the range: {@code protect: true} sets the protection, false clears it. */
    UFFD_WRITEPROTECT,
    // live migration (issue 12)
    /** Live-migrate a guest of {@code migration.ram} in {@code mode} precopy, postcopy or hybrid (docs/migration.md). */
    MIGRATE;

    /** The YAML spelling. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
