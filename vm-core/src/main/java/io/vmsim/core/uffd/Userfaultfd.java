package io.vmsim.core.uffd;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemPages;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A userfaultfd ({@code struct userfaultfd_ctx}, {@code fs/userfaultfd.c} and
 * {@code mm/userfaultfd.c} of Linux 6.18): the file a process opens with {@code userfaultfd(2)}
 * to be told of faults in the ranges it registers, and to resolve them itself. Made by
 * {@link Userfaultfds#open}.
 *
 * <p>The calls mirror the ioctls and return what they return: a non-negative result, or a
 * negated errno ({@link Uffd#EINVAL} ...). {@link #api} first ({@code UFFDIO_API}; every other
 * call is {@code -EINVAL} before it), then {@link #register} ranges in MISSING, WP and MINOR
 * modes; a fault there goes to the monitor ({@link #setMonitor}), which resolves it with
 * {@link #copy}, {@link #zeropage}, {@link #cont}, {@link #writeProtect} or {@link #wake}. See
 * {@link UffdMonitor} for how the monitor and the faulting thread share simulated time.
 * Messages nobody handles (no monitor set) queue for {@link #read}; a fault without a monitor
 * would block its thread forever, and stops the run.
 *
 * <p>Not modelled: {@code UFFDIO_MOVE}, {@code UFFDIO_POISON}, {@code UFFD_FEATURE_WP_UNPOPULATED}
 * and {@code WP_ASYNC}, the uffd-wp bit of swap entries and PTE markers, and huge pages in
 * registered anonymous or shmem areas (they fault and are filled in 4 KiB pages; hugetlb areas
 * are filled a huge page at a time).
 */
public final class Userfaultfd {
    private final Userfaultfds owner;
    private final Kernel k;
    private final Mm mm;
    private final int id;
    private boolean apiDone;
    private long features;
    private boolean released;
    private UffdMonitor monitor;
    private long monitorNs;
    private long monitorCpuPs;
    private final ArrayDeque<UffdMsg> unread = new ArrayDeque<>();
    // the fault being handed to the monitor (vmsim runs one at a time)
    private boolean pending;
    private long pendingAddress;
    private long wokenNs;
    // statistics
    private long faults;
    private final long[] faultsByReason = new long[3];
    private final long[] eventCounts = new long[5];
    private long copies;
    private long zeropages;
    private long continues;
    private long wakes;
    private long[] latencies = new long[16];
    private int nLatencies;
    private long latencySumNs;
    private long latencyMaxNs;

    Userfaultfd(Userfaultfds owner, Kernel k, Mm mm, int id) {
        this.owner = owner;
        this.k = k;
        this.mm = mm;
        this.id = id;
        this.monitorNs = k.clock.nanoTime();
    }

    /** The address space this userfaultfd serves. */
    public Mm mm() {
        return mm;
    }

    /** A number unique on the machine, in order of creation. */
    public int id() {
        return id;
    }

    /** The page size of {@code vma}: its hugetlb page size, or 4 KiB. */
    public long hugePageSize(Vma vma) {
        return vma.has(VmaFlags.VM_HUGETLB) ? k.huge.hugetlbPageSize(vma) : 4096;
    }

    /** The features enabled by {@link #api}, 0 before it. */
    public long features() {
        return features;
    }

    // ------------------------------------------------------------------ the ioctls

    /**
     * {@code UFFDIO_API}: enables {@code features} ({@code UFFD_FEATURE_*}). Returns the features
     * the kernel offers ({@link Uffd#UFFD_API_FEATURES}), or {@code -EINVAL} if {@code api} is not
     * {@link Uffd#UFFD_API}, a feature is unknown, or the call was made before (userfaultfd_api():
     * the context's features are set once).
     */
    public long api(long api, long features) {
        if (released) {
            return -Uffd.EBADF;
        }
        if (api != Uffd.UFFD_API || (features & ~Uffd.UFFD_API_FEATURES) != 0 || apiDone) {
            return -Uffd.EINVAL;
        }
        apiDone = true;
        this.features = features;
        return Uffd.UFFD_API_FEATURES;
    }

    /**
     * {@code UFFDIO_REGISTER} of {@code [start, start+len)} in {@code mode}
     * ({@code UFFDIO_REGISTER_MODE_MISSING | _WP | _MINOR}). Every area in the range (holes are
     * allowed, at least one area is needed) is split at the range's edges and registered.
     * Returns the {@code ioctls} bits the range supports, or {@code -EINVAL} (bad mode, unaligned
     * or empty range, an area that cannot take the mode: a file that is not shmem, MINOR on
     * private anonymous memory, an unaligned hugetlb edge), {@code -ENOMEM} (no area at all),
     * {@code -EPERM} (an area without VM_MAYWRITE), {@code -EBUSY} (an area registered with
     * another userfaultfd).
     */
    public long register(long start, long len, long mode) {
        if (!apiDone || mode == 0 || (mode & ~(Uffd.UFFDIO_REGISTER_MODE_MISSING | Uffd.UFFDIO_REGISTER_MODE_WP
                | Uffd.UFFDIO_REGISTER_MODE_MINOR)) != 0) {
            return -Uffd.EINVAL;
        }
        long r = validateRange(start, len);
        if (r != 0) {
            return r;
        }
        long end = start + len;
        long vmFlags = ((mode & Uffd.UFFDIO_REGISTER_MODE_MISSING) != 0 ? Uffd.VM_UFFD_MISSING : 0)
                | ((mode & Uffd.UFFDIO_REGISTER_MODE_WP) != 0 ? Uffd.VM_UFFD_WP : 0)
                | ((mode & Uffd.UFFDIO_REGISTER_MODE_MINOR) != 0 ? Uffd.VM_UFFD_MINOR : 0);
        List<Vma> found = owner.syscalls().vmasIn(mm, start, end);
        if (found.isEmpty()) {
            return -Uffd.ENOMEM;
        }
        Vma first = found.get(0);
        if (first.has(VmaFlags.VM_HUGETLB) && (start & (k.huge.hugetlbPageSize(first) - 1)) != 0) {
            return -Uffd.EINVAL;
        }
        boolean basic = false;
        for (Vma cur : found) {
            if (!canUserfault(cur, vmFlags)) {
                return -Uffd.EINVAL;
            }
            if (!cur.has(VmaFlags.VM_MAYWRITE)) {
                return -Uffd.EPERM;
            }
            if (cur.has(VmaFlags.VM_HUGETLB) && end <= cur.end() && end > cur.start()
                    && (end & (k.huge.hugetlbPageSize(cur) - 1)) != 0) {
                return -Uffd.EINVAL;
            }
            if (cur.userfaultfdCtx() != null && cur.userfaultfdCtx() != this) {
                return -Uffd.EBUSY;
            }
            basic |= cur.has(VmaFlags.VM_HUGETLB);
        }
        // userfaultfd_register_range(): split at the edges, set the flags, merge
        for (Vma cur : found) {
            if (cur.userfaultfdCtx() == this && (cur.flags() & vmFlags) == vmFlags) {
                continue; // already registered for these modes
            }
            Vma v = owner.syscalls().isolate(mm, cur, start, end);
            v.setUserfaultfd(this, vmFlags, Uffd.VM_UFFD_FLAGS);
        }
        owner.syscalls().mergeRange(mm, start, end);
        long ioctls = Uffd.UFFDIO_WAKE_BIT | Uffd.UFFDIO_COPY_BIT | Uffd.UFFDIO_WRITEPROTECT_BIT | Uffd.UFFDIO_CONTINUE_BIT
                | (basic ? 0 : Uffd.UFFDIO_ZEROPAGE_BIT);
        if ((mode & Uffd.UFFDIO_REGISTER_MODE_MINOR) == 0) {
            ioctls &= ~Uffd.UFFDIO_CONTINUE_BIT;
        }
        if ((mode & Uffd.UFFDIO_REGISTER_MODE_WP) == 0) {
            ioctls &= ~Uffd.UFFDIO_WRITEPROTECT_BIT;
        }
        return ioctls;
    }

    /**
     * {@code UFFDIO_UNREGISTER} of {@code [start, start+len)}: its areas registered with this
     * userfaultfd lose their modes (and, for WP, the uffd-wp bits of their PTEs:
     * {@code userfaultfd_clear_vma()}), and a thread waiting in the range is woken. Returns 0,
     * or {@code -EINVAL} (unaligned or empty range, an area that could not have been
     * registered), {@code -ENOMEM} (no area).
     */
    public int unregister(long start, long len) {
        if (!apiDone) {
            return -Uffd.EINVAL;
        }
        long r = validateRange(start, len);
        if (r != 0) {
            return (int) r;
        }
        long end = start + len;
        List<Vma> found = owner.syscalls().vmasIn(mm, start, end);
        if (found.isEmpty()) {
            return -Uffd.ENOMEM;
        }
        for (Vma cur : found) {
            if (!canUserfault(cur, 0)) {
                return -Uffd.EINVAL;
            }
        }
        for (Vma cur : found) {
            if (cur.userfaultfdCtx() != this) {
                continue;
            }
            Vma v = owner.syscalls().isolate(mm, cur, start, end);
            clearVma(v);
        }
        owner.syscalls().mergeRange(mm, start, end);
        wakeRange(start, len);
        return 0;
    }

    /**
     * {@code UFFDIO_COPY}: fills the missing pages of {@code [dst, dst+len)} with the monitor's
     * data (copied: a new page each, as {@code mfill_atomic_pte_copy()}), mapped writable unless
     * {@code UFFDIO_COPY_MODE_WP} (then write-protected, uffd-wp set), and wakes the range unless
     * {@code UFFDIO_COPY_MODE_DONTWAKE}. A hugetlb area takes whole huge pages: {@code dst} and
     * {@code len} must be multiples of its page size. Returns the bytes copied (less than
     * {@code len} when a page was already there after some were copied: the ioctl's
     * {@code -EAGAIN} with that count), or {@code -EEXIST} if the first page is present,
     * {@code -ENOENT} if the range is not inside one area registered with a userfaultfd,
     * {@code -EINVAL} (unaligned, bad mode, WP mode on an area not registered for WP),
     * {@code -ENOMEM}.
     */
    public long copy(long dst, long len, long mode) {
        return copy(dst, len, mode, null);
    }

    /**
     * As {@link #copy(long, long, long)}, the copied pages holding the modelled contents
     * {@code tags[i]} for the i-th 4 KiB page of the range ({@link io.vmsim.core.mm.PageContents};
     * null: unmodelled).
     */
    public long copy(long dst, long len, long mode, long[] tags) {
        if ((mode & ~(Uffd.UFFDIO_COPY_MODE_DONTWAKE | Uffd.UFFDIO_COPY_MODE_WP)) != 0) {
            return -Uffd.EINVAL;
        }
        long done = fill(dst, len, FILL_COPY, (mode & Uffd.UFFDIO_COPY_MODE_WP) != 0, tags);
        if (done > 0) {
            copies += done >>> 12;
            if ((mode & Uffd.UFFDIO_COPY_MODE_DONTWAKE) == 0) {
                wakeRange(dst, done);
            }
        }
        return done;
    }

    /**
     * {@code UFFDIO_ZEROPAGE}: maps the zero page (read-only; a zeroed page in shmem) at the missing pages of {@code [dst, dst+len)} and wakes the
     * range unless {@code UFFDIO_ZEROPAGE_MODE_DONTWAKE}. Results as {@link #copy}; hugetlb areas
     * are {@code -EINVAL}.
     */
    public long zeropage(long dst, long len, long mode) {
        if ((mode & ~Uffd.UFFDIO_ZEROPAGE_MODE_DONTWAKE) != 0) {
            return -Uffd.EINVAL;
        }
        long done = fill(dst, len, FILL_ZERO, false, null);
        if (done > 0) {
            zeropages += done >>> 12;
            if ((mode & Uffd.UFFDIO_ZEROPAGE_MODE_DONTWAKE) == 0) {
                wakeRange(dst, done);
            }
        }
        return done;
    }

    /**
     * {@code UFFDIO_CONTINUE}: maps the pages the shmem object already holds at
     * {@code [dst, dst+len)} (resolving minor faults), write-protected with
     * {@code UFFDIO_CONTINUE_MODE_WP}, and wakes the range unless {@code _DONTWAKE}. Returns the
     * bytes mapped, or {@code -EFAULT} if the object has no page there, {@code -EEXIST} if one is
     * mapped, {@code -EINVAL} on private anonymous memory, other errors as {@link #copy}.
     */
    public long cont(long dst, long len, long mode) {
        if ((mode & ~(Uffd.UFFDIO_CONTINUE_MODE_DONTWAKE | Uffd.UFFDIO_CONTINUE_MODE_WP)) != 0) {
            return -Uffd.EINVAL;
        }
        long done = fill(dst, len, FILL_CONTINUE, (mode & Uffd.UFFDIO_CONTINUE_MODE_WP) != 0, null);
        if (done > 0) {
            continues += done >>> 12;
            if ((mode & Uffd.UFFDIO_CONTINUE_MODE_DONTWAKE) == 0) {
                wakeRange(dst, done);
            }
        }
        return done;
    }

    /**
     * {@code UFFDIO_WRITEPROTECT} of {@code [start, start+len)}: with
     * {@code UFFDIO_WRITEPROTECT_MODE_WP}, every mapped page gets the uffd-wp bit and loses write
     * permission, so a write to it is a WP fault for the monitor; without it, the bit is cleared
     * and a page that can be written without a copy is made writable again
     * ({@code MM_CP_TRY_CHANGE_WRITABLE}), and the range is woken unless {@code _DONTWAKE}.
     * Returns 0, or {@code -ENOENT} if an area of the range is not registered for WP,
     * {@code -EINVAL} (unaligned, WP with DONTWAKE, unaligned to a hugetlb page).
     */
    public int writeProtect(long start, long len, long mode) {
        if (!apiDone || (mode & ~(Uffd.UFFDIO_WRITEPROTECT_MODE_WP | Uffd.UFFDIO_WRITEPROTECT_MODE_DONTWAKE)) != 0
                || mode == (Uffd.UFFDIO_WRITEPROTECT_MODE_WP | Uffd.UFFDIO_WRITEPROTECT_MODE_DONTWAKE)) {
            return -Uffd.EINVAL;
        }
        long r = validateRange(start, len);
        if (r != 0) {
            return (int) r;
        }
        boolean wp = (mode & Uffd.UFFDIO_WRITEPROTECT_MODE_WP) != 0;
        long end = start + len;
        List<Vma> found = owner.syscalls().vmasIn(mm, start, end);
        if (found.isEmpty()) {
            return -Uffd.ENOENT;
        }
        for (Vma v : found) {
            if (!v.has(VmaFlags.VM_UFFD_WP)) {
                return -Uffd.ENOENT;
            }
            if (v.has(VmaFlags.VM_HUGETLB)) {
                long mask = k.huge.hugetlbPageSize(v) - 1;
                if ((start & mask) != 0 || (len & mask) != 0) {
                    return -Uffd.EINVAL;
                }
            }
        }
        long t0 = k.clock.picoTime();
        for (Vma v : found) {
            wpRange(v, Math.max(start, v.start()), Math.min(end, v.end()), wp);
        }
        k.flushTlbRange(mm, start, end);
        monitorCharge(t0);
        if (!wp && (mode & Uffd.UFFDIO_WRITEPROTECT_MODE_DONTWAKE) == 0) {
            wakeRange(start, len);
        }
        return 0;
    }

    /** {@code UFFDIO_WAKE}: wakes the threads waiting on a fault in {@code [start, start+len)}. Returns 0 or {@code -EINVAL}. */
    public int wake(long start, long len) {
        if (!apiDone) {
            return -Uffd.EINVAL;
        }
        long r = validateRange(start, len);
        if (r != 0) {
            return (int) r;
        }
        wakes++;
        wakeRange(start, len);
        return 0;
    }

    /** {@code read(2)} of the file without a monitor: the oldest unread message, or null ({@code EAGAIN}). */
    public UffdMsg read() {
        return unread.poll();
    }

    /**
     * {@code close(2)} ({@code userfaultfd_release()}): every area registered with this
     * userfaultfd is unregistered, and later calls fail. Threads waiting are woken.
     */
    public void close() {
        if (released) {
            return;
        }
        released = true;
        for (Vma v : new ArrayList<>(owner.syscalls().vmasIn(mm, 0, Long.MAX_VALUE))) {
            if (v.userfaultfdCtx() == this) {
                clearVma(v);
            }
        }
        owner.syscalls().mergeRange(mm, 0, Long.MAX_VALUE);
        wakeRange(0, Long.MAX_VALUE);
        owner.closed(this);
    }

    // ------------------------------------------------------------------ the monitor

    /** Sets the monitor that reads this userfaultfd (null: messages queue for {@link #read}). */
    public void setMonitor(UffdMonitor monitor) {
        this.monitor = monitor;
    }

    /** The monitor, or null. */
    public UffdMonitor monitor() {
        return monitor;
    }

    /** The monitor's simulated time in nanoseconds: when it is next free to read a message. */
    public long monitorNs() {
        return monitorNs;
    }

    /** The monitor spends {@code ns} simulated nanoseconds (waiting for the network or the disk, say). */
    public void monitorSleep(long ns) {
        if (ns < 0) {
            throw new IllegalArgumentException("negative sleep " + ns);
        }
        monitorNs += ns;
    }

    /** The monitor waits until simulated time {@code ns}; nothing if that has passed. */
    public void monitorSleepUntil(long ns) {
        monitorNs = Math.max(monitorNs, ns);
    }

    /** CPU time the monitor's ioctls took (copying and zeroing pages, page tables), in nanoseconds. */
    public long monitorCpuNs() {
        return monitorCpuPs / 1000;
    }

    // ------------------------------------------------------------------ statistics

    /** Page faults handed to the monitor. */
    public long faults() {
        return faults;
    }

    /** Page faults of one reason ({@link Uffd#VM_UFFD_MISSING}, {@code VM_UFFD_WP} or {@code VM_UFFD_MINOR}) handed to the monitor. */
    public long faults(long reason) {
        return faultsByReason[reasonIndex(reason)];
    }

    /** Messages of {@code event} ({@code UFFD_EVENT_*}) queued. */
    public long events(int event) {
        return eventCounts[event - Uffd.UFFD_EVENT_PAGEFAULT];
    }

    /** 4 KiB pages filled by {@link #copy}, {@link #zeropage} and {@link #cont}. */
    public long pagesCopied() {
        return copies;
    }

    public long pagesZeroed() {
        return zeropages;
    }

    public long pagesContinued() {
        return continues;
    }

    /** Each fault's wait, from the fault to the wake, in simulated nanoseconds, in order of the faults. */
    public long[] latenciesNs() {
        return Arrays.copyOf(latencies, nLatencies);
    }

    /** The sum of {@link #latenciesNs()}. */
    public long latencySumNs() {
        return latencySumNs;
    }

    /** The longest of {@link #latenciesNs()}, 0 if none. */
    public long latencyMaxNs() {
        return latencyMaxNs;
    }

    // ------------------------------------------------------------------ faults and events (Userfaultfds)

    /** {@code handle_userfault()}: see {@link io.vmsim.core.mm.UffdHooks#fault}. */
    void fault(Task task, Vma vma, long va, boolean write, long reason) {
        if ((features & Uffd.UFFD_FEATURE_SIGBUS) != 0) {
            throw new WorkloadException(String.format("bus error (SIGBUS): %s (pid %d) faulted at 0x%x in an area registered "
                    + "with a userfaultfd with UFFD_FEATURE_SIGBUS", task.comm(), task.pid(), va));
        }
        long nowNs = (k.clock.picoTime() - k.threadSkewPs) / 1000;
        long flags = (write ? Uffd.UFFD_PAGEFAULT_FLAG_WRITE : 0)
                | (reason == Uffd.VM_UFFD_WP ? Uffd.UFFD_PAGEFAULT_FLAG_WP : 0)
                | (reason == Uffd.VM_UFFD_MINOR ? Uffd.UFFD_PAGEFAULT_FLAG_MINOR : 0);
        // userfault_msg(): the page's address, unless EXACT_ADDRESS; a hugetlb fault reports its
        // huge page's (hugetlb_handle_userfault() passes the aligned address; conformance case
        // uffd-missing-hugetlb)
        long address = (features & Uffd.UFFD_FEATURE_EXACT_ADDRESS) != 0 ? va
                : va & -(vma.has(VmaFlags.VM_HUGETLB) ? k.huge.hugetlbPageSize(vma) : 4096L);
        int ptid = (features & Uffd.UFFD_FEATURE_THREAD_ID) != 0 ? task.tid() : 0;
        UffdMsg msg = new UffdMsg(Uffd.UFFD_EVENT_PAGEFAULT, address, flags, ptid, 0, 0, null, nowNs);
        faults++;
        faultsByReason[reasonIndex(reason)]++;
        eventCounts[0]++;
        if (monitor == null) {
            unread.add(msg);
            throw new WorkloadException(String.format("%s (pid %d) faulted at 0x%x in an area registered with a userfaultfd "
                    + "that no monitor reads: it would wait forever", task.comm(), task.pid(), va));
        }
        pending = true;
        pendingAddress = address;
        wokenNs = -1;
        Mm savedMm = k.currentMm;
        Task savedTask = k.currentTask;
        try {
            monitorNs = Math.max(monitorNs, nowNs);
            monitor.handle(this, msg);
        } finally {
            pending = false;
            k.currentMm = savedMm;
            k.currentTask = savedTask;
        }
        if (wokenNs < 0) {
            throw new WorkloadException(String.format("%s (pid %d) faulted at 0x%x and the userfaultfd monitor returned without "
                    + "waking it (%s): it would wait forever", task.comm(), task.pid(), va, msg));
        }
        long wait = Math.max(0, wokenNs - nowNs);
        k.clock.advance(wait * 1000);
        if (nLatencies == latencies.length) {
            latencies = Arrays.copyOf(latencies, nLatencies * 2);
        }
        latencies[nLatencies++] = wait;
        latencySumNs += wait;
        latencyMaxNs = Math.max(latencyMaxNs, wait);
    }

    /**
     * A non-cooperative event: queued for the monitor, and the thread that caused it waits until
     * the monitor has read it ({@code userfaultfd_event_wait_completion()}).
     */
    void event(UffdMsg msg) {
        eventCounts[msg.event() - Uffd.UFFD_EVENT_PAGEFAULT]++;
        if (monitor == null) {
            unread.add(msg);
            return;
        }
        Mm savedMm = k.currentMm;
        Task savedTask = k.currentTask;
        try {
            monitorNs = Math.max(monitorNs, msg.queuedNs());
            monitor.handle(this, msg);
        } finally {
            k.currentMm = savedMm;
            k.currentTask = savedTask;
        }
        k.clock.advance(Math.max(0, monitorNs - msg.queuedNs()) * 1000);
    }

    /** A child's userfaultfd made by fork ({@code dup_userfaultfd()}): the parent's features and monitor. */
    void inherit(Userfaultfd parent) {
        apiDone = true;
        features = parent.features;
        monitor = parent.monitor;
        monitorNs = parent.monitorNs;
    }

    boolean wants(long feature) {
        return (features & feature) != 0;
    }

    /** Drops an area's registration and the uffd-wp bits of its PTEs ({@code userfaultfd_clear_vma()}). */
    void clearVma(Vma v) {
        if (v.has(VmaFlags.VM_UFFD_WP)) {
            wpRange(v, v.start(), v.end(), false);
            k.flushTlbRange(mm, v.start(), v.end());
        }
        v.setUserfaultfd(null, 0, Uffd.VM_UFFD_FLAGS);
    }

    // ------------------------------------------------------------------ internals

    private static int reasonIndex(long reason) {
        return reason == Uffd.VM_UFFD_MISSING ? 0 : reason == Uffd.VM_UFFD_WP ? 1 : 2;
    }

    /** {@code validate_range()}: page-aligned, non-empty, below the top of user space. */
    private long validateRange(long start, long len) {
        if (!apiDone) {
            return -Uffd.EINVAL;
        }
        if ((start & 4095) != 0 || (len & 4095) != 0 || len <= 0 || start < 0) {
            return -Uffd.EINVAL;
        }
        if (start + len < start || start + len > TASK_SIZE) {
            return -Uffd.EINVAL;
        }
        return 0;
    }

    /** {@code TASK_SIZE_MAX} of x86-64 with 4-level tables ({@code (1 << 47) - 4096}). */
    private static final long TASK_SIZE = (1L << 47) - 4096;

    /** {@code vma_can_userfault()}: anonymous, shmem or hugetlb; MINOR not on private anonymous memory. */
    private static boolean canUserfault(Vma v, long vmFlags) {
        boolean hugetlb = v.has(VmaFlags.VM_HUGETLB);
        boolean anon = v.isAnon() && !hugetlb;
        boolean shmem = anon && v.has(VmaFlags.VM_SHARED);
        if ((vmFlags & Uffd.VM_UFFD_MINOR) != 0 && !hugetlb && !shmem) {
            return false;
        }
        return anon || hugetlb;
    }

    private void wakeRange(long start, long len) {
        if (pending && wokenNs < 0 && pendingAddress >= start && pendingAddress - start < len) {
            wokenNs = monitorNs;
        }
    }

    private void monitorCharge(long t0) {
        long d = k.clock.picoTime() - t0;
        if (d > 0) {
            k.clock.overlap(d); // the monitor runs on a CPU of its own
            monitorCpuPs += d;
        }
    }

    private static final int FILL_COPY = 0;
    private static final int FILL_ZERO = 1;
    private static final int FILL_CONTINUE = 2;

    /** {@code mfill_atomic()}: fills {@code [dst, dst+len)}; returns the bytes filled, or -errno if none. */
    private long fill(long dst, long len, int kind, boolean wp, long[] tags) {
        long r = validateRange(dst, len);
        if (r != 0) {
            return r;
        }
        Vma vma = mm.findVma(dst);
        if (vma == null || dst + len > vma.end() || vma.userfaultfdCtx() == null) {
            return -Uffd.ENOENT;
        }
        if (wp && !vma.has(VmaFlags.VM_UFFD_WP)) {
            return -Uffd.EINVAL;
        }
        boolean hugetlb = vma.has(VmaFlags.VM_HUGETLB);
        boolean shmem = !hugetlb && vma.has(VmaFlags.VM_SHARED);
        if (kind == FILL_CONTINUE && !shmem && !hugetlb) {
            return -Uffd.EINVAL;
        }
        long t0 = k.clock.picoTime();
        Mm savedMm = k.currentMm;
        Task savedTask = k.currentTask;
        k.currentMm = mm;
        k.currentTask = null;
        long done = 0;
        int err = 0;
        try {
            if (hugetlb) {
                long size = k.huge.hugetlbPageSize(vma);
                if (kind == FILL_ZERO || (dst & (size - 1)) != 0 || (len & (size - 1)) != 0) {
                    err = Uffd.EINVAL;
                } else if (kind == FILL_CONTINUE) {
                    err = Uffd.EFAULT; // vmsim's hugetlb areas hold no page a mapping does not map
                } else {
                    for (; done < len; done += size) {
                        long bits = Pte.ACCESSED | Pte.DIRTY | (wp ? Pte.UFFD_WP : vma.has(VmaFlags.VM_WRITE) ? Pte.RW : 0);
                        int pfn = k.huge.hugetlbInstall(mm, vma, dst + done, bits, mm.cpu);
                        if (pfn < 0) {
                            err = -pfn;
                            break;
                        }
                        k.clock.advance(k.cost.copy4kPs * (size >>> 12)); // copy_user_large_folio()
                        if (tags != null) {
                            for (int i = 0; i < size >>> 12; i++) {
                                k.contents.set(pfn + i, tags[(int) ((done >>> 12) + i)]);
                            }
                        }
                    }
                }
            } else {
                for (; done < len; done += 4096) {
                    err = fillPage(vma, dst + done, kind, wp, shmem, tags == null ? Long.MIN_VALUE : tags[(int) (done >>> 12)]);
                    if (err != 0) {
                        break;
                    }
                }
            }
        } finally {
            k.currentMm = savedMm;
            k.currentTask = savedTask;
            monitorCharge(t0);
        }
        return done > 0 ? done : -err;
    }

    /** One 4 KiB page of {@link #fill}: 0, or the errno. */
    private int fillPage(Vma vma, long va, int kind, boolean wp, boolean shmem, long tag) {
        int cpu = mm.cpu;
        int node = k.nodeOfCpu(cpu);
        int pteTable = k.walkAlloc(mm, va, 1, cpu, node);
        if (pteTable == -2) {
            return Uffd.EEXIST; // mfill_atomic(): a huge PMD is there
        }
        long[] ptes = k.tables.table(pteTable);
        int i = Pte.index(va, 1);
        if (ptes[i] != 0) {
            return Uffd.EEXIST;
        }
        PageFrames frames = k.frames;
        ShmemPages object = shmem ? vma.anonVma().shmem() : null;
        long index = vma.linearIndex(va);
        boolean writable = vma.has(VmaFlags.VM_WRITE) && !wp;
        long wpBit = wp ? Pte.UFFD_WP : 0;
        if (kind == FILL_CONTINUE) {
            long slot = object == null ? ShmemPages.NONE : object.get(index);
            if (slot == ShmemPages.NONE || Pte.isSwap(slot)) {
                return Uffd.EFAULT; // shmem_get_folio(SGP_NOALLOC) found no page
            }
            int pfn = (int) slot;
            frames.addMapcount(pfn, 1);
            frames.addRefcount(pfn, 1);
            mm.rssAnon++;
            // mfill_atomic_install_pte(): a page-cache page in a shared area, dirty, writable if the area is
            ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED | Pte.DIRTY | (writable ? Pte.RW : 0) | wpBit);
            return 0;
        }
        if (object != null && object.get(index) != ShmemPages.NONE) {
            return Uffd.EEXIST; // shmem_mfill_atomic_pte(): the page cache has the index
        }
        if (kind == FILL_ZERO && object == null) {
            // mfill_atomic_pte_zeropage(): the zero page, read-only; mapped even where read faults
            // allocate pages instead (vm.zero_page=false, as on the conformance machine:
            // conformance case uffd-missing-anon)
            ptes[i] = Pte.make(k.zeroPfn, Pte.PRESENT | Pte.USER | Pte.SPECIAL | Pte.ACCESSED | wpBit);
            return 0;
        }
        k.anonVmaPrepare(vma);
        k.hooks.beforeUserAlloc(mm, 1, cpu);
        int pfn = k.allocPagesMpol(Gfp.GFP_HIGHUSER_MOVABLE, 0, cpu, node);
        if (pfn < 0) {
            return Uffd.ENOMEM;
        }
        long costPs = kind == FILL_COPY ? k.cost.copy4kPs : k.cost.zero4kPs;
        k.clock.advance(k.topology.pageTransferPs(costPs, k.nodeOfCpu(cpu), frames.nodeOf(pfn)));
        frames.setMapcount(pfn, 1);
        frames.setRefcount(pfn, 1);
        k.newAnonFolio(pfn, 0, vma, va);
        ptes[i] = Pte.make(pfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED | Pte.DIRTY | (writable ? Pte.RW : 0) | wpBit);
        mm.rssAnon++;
        if (kind == FILL_COPY && tag != Long.MIN_VALUE) {
            k.contents.set(pfn, tag);
        }
        if (object != null) {
            // shmem_mfill_atomic_pte() -> shmem_add_to_page_cache(), as a shmem fault's new page
            for (int n = object.xaNewNodes(index); n > 0; n--) {
                object.xaCharged(k.hooks.chargeSlabObjectNowaitFirst(mm, AccountedSlabs.RADIX_TREE_NODE, cpu));
            }
            object.xaInsert(index);
            object.put(index, pfn);
            frames.addRefcount(pfn, 1);
        }
        return 0;
    }

    /**
     * {@code uffd_wp_range()} on {@code [start, end)} of {@code v}: sets or clears the uffd-wp
     * bit of every mapped page; setting it removes write permission, clearing it gives it back
     * where {@code can_change_pte_writable()} would (an exclusive anonymous page, a dirty shared
     * one, a hugetlb page of a writable area).
     */
    private void wpRange(Vma v, long start, long end, boolean wp) {
        if (v.has(VmaFlags.VM_HUGETLB)) {
            long size = k.huge.hugetlbPageSize(v);
            int level = size == Kernel.HPAGE_PMD_SIZE ? 2 : 3;
            for (long a = start & -size; a < end; a += size) {
                int table = k.walkNoAlloc(mm, a, level);
                if (table < 0) {
                    continue;
                }
                long[] t = k.tables.table(table);
                int idx = Pte.index(a, level);
                if (Pte.present(t[idx])) {
                    t[idx] = wp ? (t[idx] | Pte.UFFD_WP) & ~Pte.RW
                            : (t[idx] & ~Pte.UFFD_WP) | (v.has(VmaFlags.VM_WRITE) ? Pte.RW : 0);
                }
            }
            return;
        }
        boolean shared = v.has(VmaFlags.VM_SHARED);
        for (long a = start; a < end; ) {
            long next = Math.min(end, (a | (Kernel.HPAGE_PMD_SIZE - 1)) + 1);
            int pmdTable = k.walkNoAlloc(mm, a, 2);
            if (pmdTable < 0) {
                a = next;
                continue;
            }
            long[] pmdT = k.tables.table(pmdTable);
            int pi = Pte.index(a, 2);
            long pmd = pmdT[pi];
            if (pmd == 0) {
                a = next;
                continue;
            }
            if (Pte.huge(pmd)) {
                if (!wp) {
                    a = next;
                    continue;
                }
                // vmsim write-protects 4 KiB pages only: split the huge page first
                k.splitHugePmd(mm, pmdTable, pi, a & ~(Kernel.HPAGE_PMD_SIZE - 1));
                pmd = pmdT[pi];
            }
            long[] ptes = k.tables.table(Pte.pfn(pmd));
            for (; a < next; a += 4096) {
                int i = Pte.index(a, 1);
                long e = ptes[i];
                if (!Pte.present(e)) {
                    if (Pte.isSwap(e)) {
                        // change_pte_range(): pte_swp_mkuffd_wp() / pte_swp_clear_uffd_wp()
                        ptes[i] = wp ? e | Pte.UFFD_WP : e & ~Pte.UFFD_WP;
                    }
                    continue;
                }
                if (wp) {
                    ptes[i] = (e | Pte.UFFD_WP) & ~Pte.RW;
                } else if ((e & Pte.UFFD_WP) != 0) {
                    e &= ~Pte.UFFD_WP;
                    int pfn = Pte.pfn(e);
                    boolean canWrite = v.has(VmaFlags.VM_WRITE) && (shared ? (e & Pte.DIRTY) != 0
                            : pfn != k.zeroPfn && k.totalMapcount(pfn) == 1 && !k.frames.test(pfn, PageFrames.PG_KSM));
                    ptes[i] = canWrite ? e | Pte.RW : e;
                }
            }
        }
    }
}
