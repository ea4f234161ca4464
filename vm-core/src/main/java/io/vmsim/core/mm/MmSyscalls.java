package io.vmsim.core.mm;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemPages;

import java.util.ArrayList;
import java.util.List;

/**
 * The memory system calls of a simulated process: {@code mmap}, {@code munmap},
 * {@code mprotect}, {@code madvise}, {@code fork} and {@code exit} ({@code mm/mmap.c},
 * {@code mm/mprotect.c}, {@code mm/madvise.c}, {@code kernel/fork.c}).
 */
public final class MmSyscalls {
    /** madvise advice values this simulator understands, by their Linux names in lower case. */
    public static final List<String> ADVICE = List.of("dontneed", "hugepage", "nohugepage", "mergeable", "unmergeable",
            "collapse", "cold", "pageout", "free");

    /** Largest anonymous mapping: page indices within it must fit the frame's 32-bit index field. */
    public static final long MAX_ANON_MAPPING = 1L << 43;

    private final Kernel k;
    private final Munlock munlock;
    private final Mremap mremap;
    private final Madvise madviseLru;

    public MmSyscalls(Kernel kernel) {
        this.k = kernel;
        this.munlock = new Munlock(kernel, this);
        this.mremap = new Mremap(kernel, this);
        this.madviseLru = new Madvise(kernel);
    }

    /** VM_* flags for a protection string made of {@code r}, {@code w}, {@code x}. */
    public static long protFlags(String prot) {
        long f = 0;
        for (char c : prot.toCharArray()) {
            switch (c) {
                case 'r' -> f |= VmaFlags.VM_READ;
                case 'w' -> f |= VmaFlags.VM_WRITE;
                case 'x' -> f |= VmaFlags.VM_EXEC;
                case '-' -> { }
                default -> throw new IllegalArgumentException("protection '" + prot + "': expected letters from rwx");
            }
        }
        return f;
    }

    /**
     * Maps an anonymous area of {@code length} bytes. With {@code addr} = 0 the kernel picks the
     * address top-down below {@code mmap_base}, aligned to {@code align}; otherwise it is MAP_FIXED
     * at {@code addr}. Returns the start address.
     */
    public long mmapAnon(Mm mm, long addr, long length, String prot, boolean shared, long align) {
        return mmapAnon(mm, addr, length, prot, shared, align, false);
    }

    /**
     * As {@link #mmapAnon(Mm, long, long, String, boolean, long)}; with {@code noreserve}
     * (MAP_NORESERVE) the area is not charged to {@code Committed_AS}, as a trace replay's
     * address-space-wide areas must not be. A private writable area is otherwise accounted and
     * may be refused by the overcommit policy (reclaim, issue 3).
     */
    public long mmapAnon(Mm mm, long addr, long length, String prot, boolean shared, long align, boolean noreserve) {
        checkAnonLength(length);
        long a = Math.max(align, 4096);
        long start;
        if (addr == 0) {
            start = (mm.mmapBase - length) & -a;
            // a 2 MiB gap below: areas placed by the kernel stay apart here (Linux places them
            // adjacent, where they merge; placement is kept as it was for the figures built on it)
            mm.mmapBase = start - (1L << 21);
        } else {
            start = addr;
            munmap(mm, start, length, 0);
        }
        return insertAnon(mm, start, length, prot, shared, noreserve);
    }

    /**
     * {@code mmap(MAP_FIXED)} of private anonymous memory at {@code addr}, which may be 0: what a
     * privileged process may do below {@code vm.mmap_min_addr}. A trace replay maps the low pages
     * so that a lackey trace's references there count as {@code vmsim mrc} counts them.
     */
    public long mmapAnonFixed(Mm mm, long addr, long length, String prot, boolean noreserve) {
        checkAnonLength(length);
        if (addr < 0 || (addr & 4095) != 0) {
            throw new IllegalArgumentException("MAP_FIXED address must be page-aligned: " + addr);
        }
        munmap(mm, addr, length, 0);
        return insertAnon(mm, addr, length, prot, false, noreserve);
    }

    private static void checkAnonLength(long length) {
        if (length <= 0 || (length & 4095) != 0) {
            throw new IllegalArgumentException("mmap length must be a positive multiple of 4096: " + length);
        }
        if (length > MAX_ANON_MAPPING) {
            throw new IllegalArgumentException("an anonymous mapping of " + length + " bytes is larger than the "
                    + "simulator's limit of 8 TiB per mapping (page indices are 31 bits); map several areas");
        }
    }

    /**
     * The {@code vm_pgoff} of a new anonymous area. Linux uses {@code addr >> PAGE_SHIFT}, so
     * adjacent areas always have contiguous offsets; vmsim keeps page indices in the frames'
     * unsigned 32-bit index field and starts every area in the middle of it, so an area can
     * grow downwards by merging (up to {@link #MAX_ANON_MAPPING}) as well as upwards.
     */
    static final long ANON_PGOFF = 1L << 31;

    private long insertAnon(Mm mm, long start, long length, String prot, boolean shared, boolean noreserve) {
        // do_mmap() (mm/mmap.c): MAP_NORESERVE is honoured only if overcommit is allowed
        long flags = protFlags(prot) | VmaFlags.VM_ANON | VmaFlags.VM_MAYREAD | VmaFlags.VM_MAYWRITE
                | VmaFlags.VM_MAYEXEC | (shared ? VmaFlags.VM_SHARED | VmaFlags.VM_MAYSHARE : 0)
                | (noreserve && k.hooks.honoursNoreserve() ? VmaFlags.VM_NORESERVE : 0);
        flags = account(mm, flags, length >>> 12);
        ShmemPages object = null;
        if (shared) {
            // shmem_zero_setup() -> shmem_acct_size(): the shmem object charges its whole size
            // to Committed_AS unless VM_NORESERVE, whatever the protection, until it is freed
            long acct = (flags & VmaFlags.VM_NORESERVE) != 0 ? 0 : length >>> 12;
            if (acct > 0) {
                k.hooks.accountMapping(mm, acct);
            }
            object = new ShmemPages(acct);
        }
        // the anon_vma is Linux's, made at the first anonymous fault (anon_vma_prepare()): until
        // then anonVmaPrepared is false and the area may merge with any neighbour (mm/vma.c)
        AnonVma av = k.anonVmas.create();
        av.shmem = object;
        Vma v = new Vma(mm, start, start + length, flags, ANON_PGOFF, av);
        av.link(v);
        mm.vmas.put(start, v);
        mm.totalVm += length >>> 12;
        // vma_merge_new_range() (mm/vma.c): the new area extends the area below, the area above,
        // or joins both
        Vma prev = mm.findVma(start - 1);
        if (prev != null && mergeable(prev, v)) {
            absorb(mm, prev, v);
            v = prev;
        }
        Vma next = mm.vmas.get(v.end);
        if (next != null && mergeable(v, next)) {
            absorb(mm, v, next);
        }
        if (v.vmaMemcg < 0) {
            k.chargeVma(mm, v); // no neighbour took the range: vm_area_alloc()
        }
        if (object != null) {
            // shmem_zero_setup() -> shmem_kernel_file_setup(): an inode, its dentry, a file
            object.objMemcg = k.hooks.chargeSlabObject(mm, AccountedSlabs.SHMEM_INODE, mm.cpu);
            object.objs++;
            k.hooks.chargeSlabObject(mm, AccountedSlabs.DENTRY, mm.cpu);
            object.objs++;
            k.hooks.chargeSlabObject(mm, AccountedSlabs.FILP, mm.cpu);
            object.objs++;
        }
        return start;
    }

    /**
     * {@code mmap(MAP_HUGETLB)} of {@code length} bytes of {@code pageSize} (2 MiB or 1 GiB)
     * hugetlbfs pages, reserved from the pool now (THP, issue 5); fails with a
     * {@link WorkloadException} naming {@code comm} and the size when the pool is short.
     */
    public long mmapHugetlb(Mm mm, long length, String prot, long pageSize, String comm) {
        if (length % pageSize != 0) {
            throw new WorkloadException("hugetlb mmap by " + comm + ": length " + length
                    + " is not a multiple of the huge page size " + pageSize);
        }
        long start = mmapAnon(mm, 0, length, prot, false, pageSize);
        Vma v = mm.vmas.get(start);
        v.flags |= VmaFlags.VM_HUGETLB | VmaFlags.VM_DONTEXPAND;
        try {
            k.huge.hugetlbReserve(mm, v, pageSize, comm);
        } catch (RuntimeException e) {
            mm.vmas.remove(start);
            v.anonVma.unlink(v);
            k.freeVmaObjects(v, mm.cpu);
            mm.totalVm -= length >>> 12;
            throw e;
        }
        return start;
    }

    /**
     * Maps {@code length} bytes of page-cache file {@code file} from page {@code pgoff}
     * ({@code mmap()} of a file): shared mappings write to the file, private ones copy on write.
     * The pages are faulted in from the page cache (reclaim, issue 3). Returns the start address.
     */
    public long mmapFile(Mm mm, long addr, long length, String prot, boolean shared, int file, long pgoff) {
        return mmapFile(mm, addr, length, prot, shared, file, pgoff, true);
    }

    /**
     * As above, through a descriptor opened for writing ({@code fdWritable}) or read-only. As
     * {@code do_mmap()} (mm/mmap.c): a shared writable mapping of a read-only descriptor is
     * EACCES ({@link SyscallError}); a shared read-only one gets neither VM_MAYWRITE nor VM_SHARED
     * (only VM_MAYSHARE), so mprotect cannot make it writable; a private one is unaffected.
     */
    public long mmapFile(Mm mm, long addr, long length, String prot, boolean shared, int file, long pgoff,
                         boolean fdWritable) {
        if (length <= 0 || (length & 4095) != 0) {
            throw new IllegalArgumentException("mmap length must be a positive multiple of 4096: " + length);
        }
        if (shared && !fdWritable && (protFlags(prot) & VmaFlags.VM_WRITE) != 0) {
            throw new SyscallError("EACCES", "mmap(MAP_SHARED, PROT_WRITE) of a file opened read-only: EACCES");
        }
        long start;
        if (addr == 0) {
            start = (mm.mmapBase - length) & -4096L;
            mm.mmapBase = start - (1L << 21);
        } else {
            start = addr;
            munmap(mm, start, length, 0);
        }
        long flags = protFlags(prot) | VmaFlags.VM_MAYREAD | VmaFlags.VM_MAYWRITE | VmaFlags.VM_MAYEXEC
                | (shared ? VmaFlags.VM_SHARED | VmaFlags.VM_MAYSHARE : 0);
        if (shared && !fdWritable) {
            flags &= ~(VmaFlags.VM_MAYWRITE | VmaFlags.VM_SHARED);
        }
        flags = account(mm, flags, length >>> 12);
        AnonVma av = k.anonVmas.create(); // for the anonymous copies of a private mapping
        Vma v = new Vma(mm, start, start + length, flags, pgoff, av);
        v.file = file;
        av.link(v);
        mm.vmas.put(start, v);
        mm.totalVm += length >>> 12;
        k.chargeVma(mm, v);
        return start;
    }

    /**
     * Takes {@code v} off its anon_vma. When it was the last area of a shmem object, the object
     * goes too ({@code shmem_evict_inode()}): its pages lose the object's reference (freed unless
     * something else holds them), its swap entries are freed, its charge is returned.
     */
    private void unlink(Mm mm, Vma v, int cpu) {
        AnonVma av = v.anonVma;
        av.unlink(v);
        ShmemPages obj = av.shmem;
        if (obj == null || !av.vmas().isEmpty()) {
            return;
        }
        av.shmem = null;
        for (int s = 0; s < obj.capacity(); s++) {
            if (obj.indexAt(s) < 0) {
                continue;
            }
            long e = obj.valueAt(s);
            if (Pte.isSwap(e)) {
                k.hooks.swapEntryFreed(e);
            } else {
                k.putPageRef((int) e, cpu);
            }
        }
        if (obj.acctPages() > 0) {
            k.hooks.unaccountMapping(mm, obj.acctPages());
        }
        // the last reference to the file: __fput() -> dput() -> iput() -> shmem_evict_inode()
        // frees the file, the dentry, the page cache's xarray nodes and the inode; the file
        // (SLAB_TYPESAFE_BY_RCU) and the dentry (DCACHE_NORCU) at once, the xarray nodes
        // (xa_node_free()) and the inode (destroy_inode() -> i_callback()) after an RCU grace period
        int[] sizes = {AccountedSlabs.SHMEM_INODE, AccountedSlabs.DENTRY, AccountedSlabs.FILP};
        for (; obj.objs > 0; obj.objs--) {
            if (obj.objs == 1) {
                k.hooks.unchargeSlabObjectRcu(obj.objMemcg, sizes[0], cpu);
            } else {
                k.hooks.unchargeSlabObject(obj.objMemcg, sizes[obj.objs - 1], cpu);
            }
        }
        for (int g = 0; g < obj.xaChargedGroups(); g++) {
            for (int n = obj.xaNodesCharged(g); n > 0; n--) {
                k.hooks.unchargeSlabObjectRcu(g, AccountedSlabs.RADIX_TREE_NODE, cpu);
            }
        }
    }

    /** {@code accountable_mapping()}: private writable areas are charged to Committed_AS; returns the flags with VM_ACCOUNT if so. */
    private long account(Mm mm, long flags, long pages) {
        if ((flags & (VmaFlags.VM_NORESERVE | VmaFlags.VM_SHARED | VmaFlags.VM_WRITE)) != VmaFlags.VM_WRITE) {
            return flags;
        }
        k.hooks.accountMapping(mm, pages);
        mm.committedPages += pages;
        return flags | VmaFlags.VM_ACCOUNT;
    }

    void unaccount(Mm mm, Vma v) {
        if (v.has(VmaFlags.VM_ACCOUNT)) {
            long pages = (v.end - v.start) >>> 12;
            mm.committedPages -= pages;
            k.hooks.unaccountMapping(mm, pages);
        }
    }

    /**
     * mlock(): marks the areas {@code VM_LOCKED} and takes their resident pages off the LRU
     * ({@code mlock_fixup()}, {@code mlock_pte_range()}). Populating the range is the caller's
     * job (the machine faults each page in, as {@code populate_vma_page_range()} does).
     */
    public void mlock(Mm mm, long addr, long length) {
        long end = addr + length;
        for (Vma v : affected(mm, addr, end)) {
            v = isolate(mm, v, addr, end);
            v.flags |= VmaFlags.VM_LOCKED;
            for (long va = v.start; va < v.end; va += 4096) {
                long e = k.lookupLeaf(mm, va);
                if (e != 0 && Pte.present(e)) {
                    int pfn = Pte.pfn(e);
                    if (Pte.huge(e)) {
                        pfn += (int) ((va & (Kernel.HPAGE_PMD_SIZE - 1)) >>> 12);
                    }
                    if (pfn != k.zeroPfn && pfn != k.hugeZeroPfn && !k.frames.test(pfn, io.vmsim.core.alloc.PageFrames.PG_FILE)) {
                        k.mlockPage(pfn);
                    }
                }
            }
        }
    }

    /** munlock(): see {@link Munlock}. */
    public void munlock(Mm mm, long addr, long length) {
        munlock.munlock(mm, addr, length);
    }

    /**
     * mremap(): see {@link Mremap}; {@code flags} holds {@code maymove}, {@code fixed} and
     * {@code dontunmap} joined by {@code |}. Returns the area's address afterwards.
     */
    public long mremap(Mm mm, long addr, long oldLen, long newLen, String flags, long newAddr, int cpu) {
        return mremap.mremap(mm, addr, oldLen, newLen, flags, newAddr, cpu);
    }

    /** Unmaps {@code [addr, addr+length)}: splits VMAs at the edges, zaps the pages and frees empty tables. */
    public void munmap(Mm mm, long addr, long length, int cpu) {
        // __vm_munmap() (mm/vma.c): an unaligned start or an empty range is EINVAL; the length is
        // rounded up to whole pages
        if ((addr & 4095) != 0 || length <= 0) {
            throw new IllegalArgumentException(String.format("munmap(0x%x, %d): EINVAL (%s)", addr, length,
                    length <= 0 ? "empty range" : "start not page-aligned"));
        }
        long end = addr + ((length + 4095) & -4096L);
        k.uffd.unmapped(mm, addr, end); // userfaultfd_unmap_prep() (userfaultfd, issue 12)
        for (Vma v : affected(mm, addr, end)) {
            v = isolate(mm, v, addr, end);
            if (v.has(VmaFlags.VM_HUGETLB)) {
                k.huge.hugetlbUnmap(mm, v, v.start, v.end, cpu); // THP (issue 5)
            } else {
                k.zapRange(mm, v.start, v.end, cpu);
            }
            mm.vmas.remove(v.start);
            unlink(mm, v, cpu);
            k.freeVmaObjects(v, cpu);
            mm.totalVm -= (v.end - v.start) >>> 12;
            unaccount(mm, v);
        }
        k.freePgtables(mm, addr, end, cpu);
    }

    /**
     * Changes protection. Removing write permission write-protects the PTEs and flushes the
     * TLB; adding it leaves PTEs read-only, so the next write takes a (reuse) fault, as Linux
     * does for pages it cannot prove exclusive.
     */
    public void mprotect(Mm mm, long addr, long length, String prot) {
        // do_mprotect_pkey() (mm/mprotect.c): an unaligned start is EINVAL, an empty range does
        // nothing, and a range that meets unmapped space is ENOMEM, after the areas before the
        // hole were changed
        if ((addr & 4095) != 0) {
            throw new IllegalArgumentException(String.format("mprotect(0x%x, %d): EINVAL (start not page-aligned)", addr, length));
        }
        if (length <= 0) {
            return;
        }
        long want = addr + ((length + 4095) & -4096L);
        long covered = addr;
        for (Vma v : affected(mm, addr, want)) {
            if (v.start > covered) {
                break;
            }
            covered = Math.max(covered, v.end);
        }
        long end = Math.min(want, covered);
        if (end > addr) {
            changeProtection(mm, addr, end, prot);
        }
        if (end < want) {
            throw new WorkloadException(String.format("mprotect(0x%x, %d): ENOMEM (0x%x is not mapped)", addr, length, end));
        }
    }

    private void changeProtection(Mm mm, long addr, long end, String prot) {
        long newProt = protFlags(prot);
        long mask = VmaFlags.VM_READ | VmaFlags.VM_WRITE | VmaFlags.VM_EXEC;
        for (Vma v : affected(mm, addr, end)) {
            if ((newProt & ~(v.flags >>> 4)) != 0) {
                // do_mprotect_pkey(): a permission without its VM_MAY* bit (a shared mapping of a
                // file opened read-only has no VM_MAYWRITE) is EACCES, after the areas before it
                mergeRange(mm, addr, Math.max(addr, v.start));
                throw new SyscallError("EACCES", String.format("mprotect(0x%x, %s): EACCES (%s may not become %s)",
                        addr, prot, v, prot));
            }
            v = isolate(mm, v, addr, end);
            boolean wasWritable = v.has(VmaFlags.VM_WRITE);
            boolean dropWrite = wasWritable && (newProt & VmaFlags.VM_WRITE) == 0;
            if (!v.has(VmaFlags.VM_ACCOUNT) && (newProt & VmaFlags.VM_WRITE) != 0) {
                // mprotect_fixup(): making a private area writable charges it
                v.flags |= account(mm, (v.flags & ~mask) | newProt, (v.end - v.start) >>> 12) & VmaFlags.VM_ACCOUNT;
            }
            boolean wasAccessible = v.accessible();
            v.flags = (v.flags & ~mask) | newProt;
            if (wasAccessible && newProt == 0) {
                // change_protection() with PAGE_NONE: the pages stay mapped, the MMU faults on every access
                changeLeaves(mm, mm.pgd, k.levels, v.start, v.end, Pte::mkProtnone);
                k.flushTlbRange(mm, v.start, v.end);
            } else if (!wasAccessible && newProt != 0) {
                changeLeaves(mm, mm.pgd, k.levels, v.start, v.end, Pte::clearProtnone);
            } else if (dropWrite) {
                wrprotectRange(mm, v.start, v.end);
                k.flushTlbRange(mm, v.start, v.end);
            }
            if (!wasWritable && (newProt & VmaFlags.VM_WRITE) != 0 && v.isAnon() && !v.has(VmaFlags.VM_SHARED)) {
                // change_pte_range() with can_change_pte_writable() (mm/mprotect.c): a private
                // anonymous page mapped only here (PageAnonExclusive) becomes writable at once
                changeLeaves(mm, mm.pgd, k.levels, v.start, v.end, e -> {
                    int pfn = (int) Pte.pfn(e);
                    return k.frames.test(pfn, io.vmsim.core.alloc.PageFrames.PG_ANON) && k.totalMapcount(pfn) == 1
                            && !Pte.huge(e) ? e | Pte.RW : e;
                });
            }
        }
        mergeRange(mm, addr, end);
    }

    /**
     * {@code vma_modify()} -> {@code vma_merge_existing_range()} (mm/vma.c): after a change of
     * flags, each area of {@code [start, end)} and its neighbours merge where {@link #mergeable}
     * says so.
     */
    public void mergeRange(Mm mm, long start, long end) {
        Long from = mm.vmas.lowerKey(start);
        Vma prev = null;
        for (Vma v : new ArrayList<>(mm.vmas.tailMap(from == null ? start : from, true).values())) {
            if (prev != null && mergeable(prev, v)) {
                absorb(mm, prev, v);
                continue;
            }
            if (v.start > end) {
                break;
            }
            prev = v;
        }
    }

    /**
     * Whether {@code a} and the area {@code b} just above it can be one area (mm/vma.c, Linux
     * 6.18: {@code is_mergeable_vma()}, {@code is_mergeable_anon_vma()}): adjacent, the same
     * flags and file, offsets that continue each other where pages are indexed by them, and
     * compatible anon_vmas. An area without anon_vma (no anonymous page made yet) merges with
     * any, unless the other's came from a fork ({@code vma_had_uncowed_parents()}); two with one
     * must share it. Shared anonymous memory (shmem) merges only with pieces of its own object.
     * vmsim gives anonymous areas offsets of their own (see {@link #ANON_PGOFF}): an area without
     * pages takes the offsets that continue its neighbour's, within the 32-bit index range.
     */
    private static boolean mergeable(Vma a, Vma b) {
        if (a.end != b.start || a.flags != b.flags || a.file != b.file || a.has(VmaFlags.VM_HUGETLB)) {
            return false;
        }
        if (a.uffdCtx != b.uffdCtx) {
            return false; // is_mergeable_vma(): is_mergeable_vm_userfaultfd_ctx() (userfaultfd, issue 12)
        }
        if (!io.vmsim.core.mempolicy.Mempolicy.equal(a.policy, b.policy)) {
            return false; // is_mergeable_vma(): mpol_equal() (mempolicy, issue 10)
        }
        long aPages = (a.end - a.start) >>> 12;
        long bPages = (b.end - b.start) >>> 12;
        boolean contiguous = a.pgoff + aPages == b.pgoff;
        boolean freeOffsets = a.isAnon() && !a.has(VmaFlags.VM_SHARED);
        if (!freeOffsets && !contiguous) {
            return false; // a file's pages, or a shmem object's
        }
        if (a.isAnon() && a.has(VmaFlags.VM_SHARED)) {
            return a.anonVma == b.anonVma;
        }
        if (freeOffsets && ((b.end - a.start) > MAX_ANON_MAPPING)) {
            return false;
        }
        if (a.anonVmaPrepared && b.anonVmaPrepared) {
            return a.anonVma == b.anonVma && contiguous;
        }
        if (a.anonVmaPrepared) {
            return !a.anonVmaFromParent && (!freeOffsets || a.pgoff + aPages + bPages <= 1L << 32);
        }
        if (b.anonVmaPrepared) {
            return !b.anonVmaFromParent && (!freeOffsets || b.pgoff >= aPages);
        }
        return !freeOffsets || a.pgoff + aPages + bPages <= 1L << 32;
    }

    /** {@code a} grows over {@code b}, which goes away; {@code a} takes {@code b}'s anon_vma if it had none ({@code dup_anon_vma()}). */
    private void absorb(Mm mm, Vma a, Vma b) {
        k.mergeVmaObjects(a, b, mm.cpu);
        if (!a.anonVmaPrepared && b.anonVmaPrepared) {
            a.anonVma.unlink(a);
            a.anonVma = b.anonVma;
            a.anonVma.link(a);
            a.anonVmaPrepared = true;
            a.anonVmaFromParent = b.anonVmaFromParent;
            if (a.isAnon()) {
                a.pgoff = b.pgoff - ((a.end - a.start) >>> 12); // b's pages keep their indices
            }
        }
        a.end = b.end;
        mm.vmas.remove(b.start);
        b.anonVma.unlink(b);
    }

    /** madvise() with one of {@link #ADVICE}. */
    public void madvise(Mm mm, long addr, long length, String advice, int cpu) {
        long end = addr + length;
        switch (advice) {
            case "dontneed" -> {
                k.uffd.removed(mm, addr, end); // madvise_dontneed_free() -> userfaultfd_remove() (userfaultfd, issue 12)
                for (Vma v : affected(mm, addr, end)) {
                    if (v.has(VmaFlags.VM_HUGETLB)) {
                        k.huge.hugetlbUnmap(mm, v, Math.max(addr, v.start), Math.min(end, v.end), cpu);
                    } else {
                        k.zapRange(mm, Math.max(addr, v.start), Math.min(end, v.end), cpu);
                    }
                }
            }
            case "collapse" -> {
                for (Vma v : affected(mm, addr, end)) {
                    k.huge.collapse(mm, v, Math.max(addr, v.start), Math.min(end, v.end), cpu); // THP (issue 5)
                }
            }
            case "cold", "pageout", "free" -> madviseLru.advise(mm, addr, length, advice, cpu); // see Madvise
            case "hugepage" -> setFlags(mm, addr, end, VmaFlags.VM_HUGEPAGE, VmaFlags.VM_NOHUGEPAGE);
            case "nohugepage" -> setFlags(mm, addr, end, VmaFlags.VM_NOHUGEPAGE, VmaFlags.VM_HUGEPAGE);
            case "mergeable" -> {
                setFlags(mm, addr, end, VmaFlags.VM_MERGEABLE, 0);
                k.ksm.madviseMergeable(mm); // ksm_madvise() -> __ksm_enter() (KSM, issue 11)
            }
            case "unmergeable" -> {
                k.ksm.unmerge(mm, addr, end, cpu); // ksm_madvise(): unmerge_ksm_pages() first
                setFlags(mm, addr, end, 0, VmaFlags.VM_MERGEABLE);
            }
            default -> throw new IllegalArgumentException("madvise advice '" + advice + "': expected one of " + ADVICE);
        }
    }

    /**
     * {@code mbind_range()} (mm/mempolicy.c, Linux 6.18): every area of {@code [addr, end)} is
     * split at the range's edges and gets {@code policy} (null: the default, the task's), then
     * areas merge where flags and policies ({@code mpol_equal()}) allow, as {@code vma_modify_policy()}
     * does. The range must be mapped without holes (the caller checks: EFAULT).
     */
    public void mbindRange(Mm mm, long addr, long end, io.vmsim.core.mempolicy.Mempolicy policy) {
        for (Vma v : affected(mm, addr, end)) {
            if (io.vmsim.core.mempolicy.Mempolicy.equal(v.policy, policy)) {
                continue; // mbind_range(): nothing to change, no split
            }
            v = isolate(mm, v, addr, end);
            v.policy = policy;
        }
        mergeRange(mm, addr, end);
    }

    private void setFlags(Mm mm, long addr, long end, long set, long clear) {
        for (Vma v : affected(mm, addr, end)) {
            v = isolate(mm, v, addr, end);
            v.flags = (v.flags | set) & ~clear;
        }
        mergeRange(mm, addr, end);
    }

    /**
     * fork(): a new address space with copies of the parent's VMAs; the page tables of areas
     * with an anon_vma are copied, old, and their private writable anonymous pages become
     * shared copy-on-write, write-protected in both ({@code copy_page_range()},
     * {@code copy_huge_pmd()}); the parent's TLB is flushed ({@code dup_mmap()}).
     */
    public Mm fork(Mm parent, int cpu) {
        Mm child = k.newMm(cpu);
        child.mmapBase = parent.mmapBase;
        // dup_mm() -> allocate_mm(): the child's mm_struct, charged to the forking task's group
        child.mmStructMemcg = k.hooks.chargeSlabObject(parent, AccountedSlabs.MM_STRUCT, parent.cpu);
        for (Vma pv : parent.vmas.values()) {
            if (pv.hasAny(VmaFlags.VM_DONTCOPY | VmaFlags.VM_HUGETLB)) {
                continue;
            }
            // dup_mmap(): locks are not inherited; accounted areas are charged again
            Vma cv = new Vma(child, pv.start, pv.end, pv.flags & ~VmaFlags.VM_LOCKED, pv.pgoff, pv.anonVma);
            cv.file = pv.file;
            cv.policy = pv.policy; // vma_dup_policy() (mempolicy, issue 10)
            cv.uffdCtx = pv.uffdCtx; // dup_userfaultfd() decides below (userfaultfd, issue 12)
            cv.anonVmaPrepared = pv.anonVmaPrepared;
            cv.anonVmaFromParent = pv.anonVmaPrepared; // anon_vma_fork(): the child's chain has the parent's too
            if (cv.has(VmaFlags.VM_ACCOUNT)) {
                long pages = (cv.end - cv.start) >>> 12;
                k.hooks.accountMapping(child, pages);
                child.committedPages += pages;
            }
            pv.anonVma.link(cv);
            // dup_mmap() -> vm_area_dup(), anon_vma_fork(): charged to the forking task's group;
            // anon_vma_fork() clones the parent's chains, then makes the child's own anon_vma
            k.chargeVma(parent, cv);
            if (pv.anonVmaPrepared && !pv.has(VmaFlags.VM_SHARED)) {
                k.chargeAvcs(parent, cv, Math.max(pv.avcs, 1));
                k.chargeAnonVma(parent, cv);
                k.chargeAvcs(parent, cv, 1);
            }
            child.vmas.put(cv.start, cv);
            child.totalVm += (cv.end - cv.start) >>> 12;
            if (vmaNeedsCopy(pv)) {
                boolean cow = (pv.flags & (VmaFlags.VM_SHARED | VmaFlags.VM_MAYWRITE)) == VmaFlags.VM_MAYWRITE;
                copyRange(parent, child, pv, cow, cpu);
            }
        }
        k.flushTlbMm(parent);
        k.ksm.forked(parent, child); // ksm_fork() (KSM, issue 11)
        k.uffd.forked(parent, child, cpu); // dup_userfaultfd(), dup_userfaultfd_complete() (userfaultfd, issue 12)
        return child;
    }

    /**
     * {@code vma_needs_copy()} (mm/memory.c): only an area with an anon_vma has page tables a
     * fault could not fill again; the child faults the pages of any other area in later. Shared
     * areas, file or anonymous (shmem), never have one.
     */
    private static boolean vmaNeedsCopy(Vma v) {
        return !v.has(VmaFlags.VM_SHARED) && v.anonVmaPrepared;
    }

    private void copyRange(Mm parent, Mm child, Vma v, boolean cow, int cpu) {
        int node = k.frames.nodeOf(0);
        for (long va = v.start; va < v.end; ) {
            long next = Math.min(v.end, (va | (Kernel.HPAGE_PMD_SIZE - 1)) + 1);
            int pmdTable = k.walkNoAlloc(parent, va, 2);
            if (pmdTable < 0) {
                va = next;
                continue;
            }
            long[] pmdT = k.tables.table(pmdTable);
            int pi = Pte.index(va, 2);
            long pmd = pmdT[pi];
            if (pmd == 0) {
                va = next;
                continue;
            }
            int cPmdTable = k.walkAlloc(child, va, 2, cpu, node);
            if (Pte.huge(pmd)) {
                int head = Pte.pfn(pmd);
                int dep = k.tables.allocTable(cpu, node);
                if (dep < 0) {
                    throw new WorkloadException("out of memory copying page tables in fork");
                }
                k.deposit(child, cPmdTable, dep);
                if (head != k.hugeZeroPfn) {
                    if (cow) {
                        pmd &= ~Pte.RW;
                        pmdT[pi] = pmd;
                    }
                    k.setEntireMapcount(head, k.entireMapcount(head) + 1);
                    k.frames.refcount[head]++;
                    child.rssAnon += Kernel.HPAGE_PMD_NR;
                }
                k.tables.table(cPmdTable)[pi] = pmd & ~Pte.ACCESSED; // copy_huge_pmd(): pmd_mkold()
                va = next;
                continue;
            }
            long[] ptes = k.tables.table(Pte.pfn(pmd));
            int cPte = k.walkAlloc(child, va, 1, cpu, node);
            long[] cptes = k.tables.table(cPte);
            for (long a = va; a < next; a += 4096) {
                int i = Pte.index(a, 1);
                long e = ptes[i];
                if (e == 0) {
                    continue;
                }
                if (!Pte.present(e)) {
                    if (Pte.isSwap(e)) {
                        // copy_nonpresent_pte(): the child shares the swap slot
                        k.hooks.swapEntryDuplicated(e);
                        child.swapEnts++;
                        cptes[i] = e;
                    }
                    continue;
                }
                int pfn = Pte.pfn(e);
                if (k.frames.test(pfn, io.vmsim.core.alloc.PageFrames.PG_FILE)) {
                    // a page-cache page: both map it; a private mapping copies on a later write
                    if (cow) {
                        e &= ~Pte.RW;
                        ptes[i] = e;
                    }
                    k.frames.mapcount[pfn]++;
                    k.frames.refcount[pfn]++;
                    child.rssFile++;
                    cptes[i] = e & ~Pte.ACCESSED; // copy_present_pte(): pte_mkold()
                    continue;
                }
                if (pfn != k.zeroPfn) {
                    if (cow) {
                        e &= ~Pte.RW;
                        ptes[i] = e;
                    }
                    k.frames.mapcount[pfn]++;
                    int head = k.frames.test(pfn, io.vmsim.core.alloc.PageFrames.PG_TAIL | io.vmsim.core.alloc.PageFrames.PG_HEAD)
                            ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
                    k.frames.refcount[head]++;
                    child.rssAnon++;
                }
                cptes[i] = e & ~Pte.ACCESSED; // copy_present_pte(): pte_mkold()
            }
            va = next;
        }
    }

    /** exit(): unmaps everything and frees every page table, the root last ({@code exit_mmap()}). */
    public void exit(Mm mm, int cpu) {
        for (Vma v : new ArrayList<>(mm.vmas.values())) {
            if (v.has(VmaFlags.VM_HUGETLB)) {
                k.huge.hugetlbUnmap(mm, v, v.start, v.end, cpu); // THP (issue 5)
            } else {
                k.zapRange(mm, v.start, v.end, cpu);
            }
            unlink(mm, v, cpu);
            k.freeVmaObjects(v, cpu);
            unaccount(mm, v);
        }
        mm.vmas.clear();
        mm.totalVm = 0;
        k.freePgtables(mm, 0, Long.MAX_VALUE, cpu);
        k.tables.freeTable(mm.pgd, cpu);
        mm.tablesPerLevel[k.levels]--;
        mm.pgd = -1;
        mm.exited = true;
        if (mm.mmStructMemcg >= 0) {
            // the last mmdrop() -> __mmdrop() -> free_mm() on the CPU it exited on: after the
            // objects of its areas, so that an mm_struct charged to another group (the forking
            // task's) takes this CPU's object stock over and drains what the exiting task's
            // group left there (refill_obj_stock() -> drain_obj_stock(), mm/memcontrol.c)
            k.hooks.unchargeSlabObject(mm.mmStructMemcg, AccountedSlabs.MM_STRUCT, cpu);
            mm.mmStructMemcg = -1;
        }
        k.flushTlbMm(mm);
        k.forgetMm(mm);
    }

    /**
     * Applies {@code op} to every mapped leaf entry (PTE, huge PMD or PUD) of {@code [start, end)}
     * under {@code table} at {@code level}; huge leaves must lie wholly inside, as VMA splitting
     * ensures ({@code change_protection()} in mm/mprotect.c).
     */
    private void changeLeaves(Mm mm, int table, int level, long start, long end, java.util.function.LongUnaryOperator op) {
        long[] t = k.tables.table(table);
        long span = Pte.span(level);
        for (long va = start; va < end; ) {
            long next = Math.min(end, (va & -span) + span);
            int i = Pte.index(va, level);
            long e = t[i];
            if (e != 0 && Pte.present(e)) {
                if (level == 1 || Pte.huge(e)) {
                    t[i] = op.applyAsLong(e);
                } else {
                    changeLeaves(mm, Pte.pfn(e), level - 1, va, next, op);
                }
            }
            va = next;
        }
    }

    private void wrprotectRange(Mm mm, long start, long end) {
        for (long va = start; va < end; ) {
            long next = Math.min(end, (va | (Kernel.HPAGE_PMD_SIZE - 1)) + 1);
            int pmdTable = k.walkNoAlloc(mm, va, 2);
            if (pmdTable < 0) {
                va = next;
                continue;
            }
            long[] pmdT = k.tables.table(pmdTable);
            int pi = Pte.index(va, 2);
            long pmd = pmdT[pi];
            if (pmd != 0 && Pte.huge(pmd)) {
                long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
                if (va != haddr || next - va != Kernel.HPAGE_PMD_SIZE) {
                    k.splitHugePmd(mm, pmdTable, pi, haddr);
                    pmd = pmdT[pi];
                } else {
                    pmdT[pi] = pmd & ~Pte.RW;
                    va = next;
                    continue;
                }
            }
            if (pmd != 0) {
                long[] ptes = k.tables.table(Pte.pfn(pmd));
                for (long a = va; a < next; a += 4096) {
                    int i = Pte.index(a, 1);
                    ptes[i] &= ~Pte.RW;
                }
            }
            va = next;
        }
    }

    /** VMAs overlapping {@code [start, end)}, in order (userfaultfd, issue 12, walks them too). */
    public List<Vma> vmasIn(Mm mm, long start, long end) {
        return affected(mm, start, end);
    }

    /** VMAs overlapping {@code [start, end)}, in order. */
    static List<Vma> affected(Mm mm, long start, long end) {
        List<Vma> out = new ArrayList<>();
        Long from = mm.vmas.floorKey(start);
        for (Vma v : mm.vmas.tailMap(from == null ? start : from, true).values()) {
            if (v.start >= end) {
                break;
            }
            if (v.end > start) {
                out.add(v);
            }
        }
        return out;
    }

    /** Splits {@code v} so that a VMA covers exactly its overlap with {@code [start, end)}; returns that VMA ({@code split_vma()}). */
    public Vma isolate(Mm mm, Vma v, long start, long end) {
        if (v.start < start) {
            v = split(mm, v, start);
        }
        if (v.end > end) {
            split(mm, v, end);
        }
        return v;
    }

    /** Splits at {@code addr}; returns the upper part. A huge PMD straddling the split is split too. */
    private Vma split(Mm mm, Vma v, long addr) {
        if (v.has(VmaFlags.VM_HUGETLB) && (addr & (k.huge.hugetlbPageSize(v) - 1)) != 0) {
            // THP (issue 5): hugetlb_vm_op_split() refuses, and the syscall fails with EINVAL
            throw new WorkloadException(String.format("hugetlb area %s cannot be split at 0x%x: not a multiple of its "
                    + "%d KiB page size (EINVAL)", v, addr, k.huge.hugetlbPageSize(v) >> 10));
        }
        if ((addr & (Kernel.HPAGE_PMD_SIZE - 1)) != 0) {
            int pmdTable = k.walkNoAlloc(mm, addr, 2);
            if (pmdTable >= 0) {
                int pi = Pte.index(addr, 2);
                long pmd = k.tables.table(pmdTable)[pi];
                if (pmd != 0 && Pte.huge(pmd)) {
                    k.splitHugePmd(mm, pmdTable, pi, addr & ~(Kernel.HPAGE_PMD_SIZE - 1));
                }
            }
        }
        Vma upper = new Vma(mm, addr, v.end, v.flags, v.pgoff + ((addr - v.start) >>> 12), v.anonVma);
        upper.file = v.file;
        upper.policy = v.policy; // __split_vma(): vma_dup_policy() (mempolicy, issue 10)
        upper.uffdCtx = v.uffdCtx; // vm_area_dup() copies vm_userfaultfd_ctx (userfaultfd, issue 12)
        upper.anonVmaPrepared = v.anonVmaPrepared;
        upper.anonVmaFromParent = v.anonVmaFromParent;
        v.anonVma.link(upper);
        v.end = addr;
        mm.vmas.put(addr, upper);
        // __split_vma(): vm_area_dup(), then anon_vma_clone() of the area's chains
        k.chargeVma(mm, upper);
        k.chargeAvcs(mm, upper, v.avcs);
        if (v.has(VmaFlags.VM_HUGETLB)) {
            k.huge.hugetlbSplit(v, upper); // THP (issue 5)
        }
        return upper;
    }
}
