package io.vmsim.core.mm;

import io.vmsim.api.policy.HugePagePolicy;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mempolicy.Mempolicy;
import io.vmsim.core.mempolicy.PolicyNodes;
import io.vmsim.core.mmu.Mmu;
import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.time.CostModel;
import io.vmsim.core.time.SimClock;
import io.vmsim.core.vmstat.VmEvent;
import io.vmsim.core.vmstat.VmStat;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated kernel's shared state and the primitive operations that faults, system calls
 * and daemons build on: page-table allocation and walking in software, releasing a mapped page,
 * splitting a huge PMD, and TLB flushing. Named after the kernel functions they model.
 *
 * <p>Reference counting: an order-0 anonymous page's {@code refcount} equals its
 * {@code mapcount}. A transparent huge page is a folio of 512 frames whose head's
 * {@code refcount} counts every mapping of the folio (a PMD mapping counts once, a PTE mapping of
 * a subpage once); its entire (PMD) mapcount lives in the first tail's {@code mapping} field, as
 * Linux keeps {@code folio->_entire_mapcount} in the first tail page.
 */
public final class Kernel {
    /** HPAGE_PMD_ORDER. */
    public static final int HPAGE_PMD_ORDER = 9;
    public static final int HPAGE_PMD_NR = 512;
    public static final long HPAGE_PMD_SIZE = 1L << 21;
    /** Above this many pages a range flush flushes the whole address space ({@code tlb_single_page_flush_ceiling}). */
    static final int TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

    public final PageFrames frames;
    public final PageAllocator allocator;
    public final PageTables tables;
    public final Mmu[] mmus;
    public final SimClock clock;
    public final CostModel cost;
    public final VmStat vmstat;
    public final int levels;
    public final AnonVmaRegistry anonVmas = new AnonVmaRegistry();
    public final io.vmsim.core.memcg.LruDomains reclaim;
    public final boolean reclaimObservesAccesses;
    public final HugePagePolicy thp;
    public final NumaPolicy numa;
    public final String thpEnabled;
    public final String thpDefrag;
    public final boolean thpUseZeroPage;
    /** {@code vm.zero_page}: read faults of private anonymous memory map {@link #zeroPfn}; false allocates a frame. */
    public boolean useZeroPage = true;
    /** The shared zero page ({@code ZERO_PAGE(0)}). */
    public final int zeroPfn;
    /** The huge zero page, allocated on first use, or -1. */
    public int hugeZeroPfn = -1;
    /** NR_ANON_MAPPED: anonymous pages in 4 KiB units (THPs count 512). */
    public long nrAnonPages;
    /** NR_ANON_THPS: anonymous transparent huge pages. */
    public long nrAnonThps;
    // reclaim (issue 3)
    /** The page cache, swap and overcommit accounting, installed by the reclaim subsystem. */
    public MmHooks hooks = MmHooks.NONE;
    /** True when swap space exists: anonymous pages then go on the LRU; without swap they are unevictable. */
    public boolean anonEvictable;
    /** The address space whose fault or system call is running, so the OOM killer knows whether it kills the caller. */
    public Mm currentMm;
    /** mempolicy (issue 10): the task whose fault or system call is running, or null; its policy places page tables and page cache. */
    public Task currentTask;
    private final List<Mm> mms = new ArrayList<>();
    /** THP (issue 5): split queue, collapse and hugetlbfs, installed when the machine is built. */
    public HugePageHooks huge = HugePageHooks.NONE;
    /** THP (issue 5): {@code /sys/kernel/mm/transparent_hugepage/shmem_enabled}, for shared anonymous memory. */
    public String shmemEnabled = "never";
    /** KSM (issue 11): the content tags of anonymous pages, a side table empty until a content-aware write. */
    public final PageContents contents = new PageContents();
    /** KSM (issue 11): ksmd's bookkeeping, installed when the machine is built. */
    public KsmHooks ksm = KsmHooks.NONE;
    /** userfaultfd (issue 12): installed on first use by {@code io.vmsim.core.uffd.Userfaultfds#of}. */
    public UffdHooks uffd = UffdHooks.NONE;
    /**
     * Picoseconds the clock ran ahead of the running thread's own time: in a {@code parallel}
     * phase, the time the round's earlier threads charged (the thread started when they did).
     * userfaultfd (issue 12) dates a fault by it. Zero outside parallel phases.
     */
    public long threadSkewPs;
    private int nextMmId = 1;
    // mempolicy (issue 10)
    /** {@code /sys/kernel/mm/mempolicy/weighted_interleave/nodeN}. */
    public io.vmsim.core.mempolicy.InterleaveWeights interleaveWeights = new io.vmsim.core.mempolicy.InterleaveWeights();
    /** The mode and nodemask of the policy the last allocation-node choice used, for {@link #allocPagesMpol}. */
    private int allocMode;
    private long allocNodemask = Mempolicy.ALL_NODES;
    /**
     * Automatic NUMA balancing (issue 10): each frame's {@code last_cpupid} ({@code folio_last_cpupid()}),
     * -1 when unset, or null when balancing is off. A new anonymous page starts unset, as
     * {@code page_cpupid_reset_last()} leaves a freed page.
     */
    public int[] lastCpupid;

    public Kernel(PageFrames frames, PageAllocator allocator, PageTables tables, Mmu[] mmus, SimClock clock,
                  CostModel cost, VmStat vmstat, int levels, io.vmsim.core.memcg.LruDomains reclaim, HugePagePolicy thp,
                  NumaPolicy numa, String thpEnabled, String thpDefrag, boolean thpUseZeroPage) {
        this.frames = frames;
        this.allocator = allocator;
        this.tables = tables;
        this.mmus = mmus;
        this.clock = clock;
        this.cost = cost;
        this.vmstat = vmstat;
        this.levels = levels;
        this.reclaim = reclaim;
        this.reclaimObservesAccesses = reclaim.observesEveryAccess();
        this.thp = thp;
        this.numa = numa;
        this.thpEnabled = thpEnabled;
        this.thpDefrag = thpDefrag;
        this.thpUseZeroPage = thpUseZeroPage;
        int z = allocator.allocZeroPage();
        if (z < 0) {
            throw new IllegalStateException("no memory for the zero page");
        }
        this.zeroPfn = z;
        this.topology = io.vmsim.core.topology.NumaTopology.even(frames.nrFrames(), frames.nrNodes(), mmus.length);
    }

    /** NUMA topology (issue 10): CPUs of each node, distances, latencies; set from the configuration when the machine is built. */
    public io.vmsim.core.topology.NumaTopology topology;

    /** Live address spaces, in creation order. */
    public List<Mm> mms() {
        return mms;
    }

    /** Creates an empty address space with its top-level table ({@code mm_alloc()} + {@code pgd_alloc()}). */
    public Mm newMm(int cpu) {
        Mm mm = new Mm(nextMmId++);
        mm.cpu = cpu;
        int pgd = tables.allocTable(cpu, frames.nodeOf(0));
        if (pgd < 0) {
            throw new WorkloadException("out of memory allocating a page-table root");
        }
        mm.pgd = pgd;
        mm.tablesPerLevel[levels]++;
        clock.advance(cost.pgtableAllocPs);
        mms.add(mm);
        return mm;
    }

    void forgetMm(Mm mm) {
        mms.remove(mm);
    }

    // ---------------------------------------------------------------- accounted kernel objects

    /** {@code vm_area_alloc()} or {@code vm_area_dup()} of {@code v} by a task of {@code current}: its {@code vm_area_struct} is charged. */
    void chargeVma(Mm current, Vma v) {
        v.vmaMemcg = hooks.chargeSlabObject(current, AccountedSlabs.VM_AREA_STRUCT, current.cpu);
    }

    /** {@code anon_vma_chain_alloc()} of {@code n} chains for {@code v} (which has none yet) by a task of {@code current}. */
    void chargeAvcs(Mm current, Vma v, int n) {
        for (int i = 0; i < n; i++) {
            v.avcMemcg = hooks.chargeSlabObject(current, AccountedSlabs.ANON_VMA_CHAIN, current.cpu);
            v.avcs++;
        }
    }

    /** {@code anon_vma_alloc()} for {@code v} by a task of {@code current}. */
    void chargeAnonVma(Mm current, Vma v) {
        v.anonVmaMemcg = hooks.chargeSlabObject(current, AccountedSlabs.ANON_VMA, current.cpu);
    }

    /**
     * {@code vmf_anon_prepare()} -> {@code __anon_vma_prepare()} (mm/rmap.c), before the first
     * anonymous page of a private area is allocated: an anon_vma_chain, then an anon_vma, both
     * charged to the faulting task's memory cgroup. Shared anonymous (shmem) areas have none.
     * vmsim makes a new anon_vma where Linux may reuse a compatible neighbour's
     * ({@code find_mergeable_anon_vma()}).
     */
    public void anonVmaPrepare(Vma v) {
        if (v.anonVmaPrepared || v.avcs > 0 || v.has(io.vmsim.api.VmaFlags.VM_SHARED)) {
            return;
        }
        chargeAvcs(v.mm, v, 1);
        chargeAnonVma(v.mm, v);
    }

    /**
     * The area's objects are freed on {@code cpu}: its anon_vma_chains and the anon_vma it made
     * ({@code unlink_anon_vmas()}), then its {@code vm_area_struct} ({@code vm_area_free()}).
     */
    void freeVmaObjects(Vma v, int cpu) {
        for (; v.avcs > 0; v.avcs--) {
            hooks.unchargeSlabObject(v.avcMemcg, AccountedSlabs.ANON_VMA_CHAIN, cpu);
        }
        if (v.anonVmaMemcg >= 0) {
            hooks.unchargeSlabObject(v.anonVmaMemcg, AccountedSlabs.ANON_VMA, cpu);
            v.anonVmaMemcg = -1;
        }
        if (v.vmaMemcg >= 0) {
            hooks.unchargeSlabObject(v.vmaMemcg, AccountedSlabs.VM_AREA_STRUCT, cpu);
            v.vmaMemcg = -1;
        }
    }

    /**
     * Area {@code b} is merged into {@code a} and goes: a new range merging into its neighbour
     * allocated no {@code vm_area_struct} of its own ({@code vma_merge_new_range()} expands the
     * neighbour), so {@code a} keeps {@code b}'s; an area without anon_vma takes {@code b}'s
     * chains ({@code dup_anon_vma()}) and the anon_vma lives on with {@code a}; the rest of
     * {@code b}'s objects are freed.
     */
    void mergeVmaObjects(Vma a, Vma b, int cpu) {
        if (a.vmaMemcg < 0) {
            a.vmaMemcg = b.vmaMemcg;
            b.vmaMemcg = -1;
        }
        if (a.avcs == 0 && b.avcs > 0) {
            a.avcs = b.avcs;
            a.avcMemcg = b.avcMemcg;
            b.avcs = 0;
        }
        if (a.anonVmaMemcg < 0) {
            a.anonVmaMemcg = b.anonVmaMemcg;
            b.anonVmaMemcg = -1;
        }
        freeVmaObjects(b, cpu);
    }

    /** {@code b} takes over every object of {@code a}, which goes without freeing any. */
    void moveVmaObjects(Vma a, Vma b) {
        b.vmaMemcg = a.vmaMemcg;
        b.avcs = a.avcs;
        b.avcMemcg = a.avcMemcg;
        b.anonVmaMemcg = a.anonVmaMemcg;
        a.vmaMemcg = -1;
        a.avcs = 0;
        a.anonVmaMemcg = -1;
    }

    // ---------------------------------------------------------------- page-table walking in software

    /**
     * The table at {@code targetLevel} that covers {@code va}, allocating missing tables on the
     * way ({@code pud_alloc()}, {@code pmd_alloc()}, ...). Returns -2 if a huge leaf sits above
     * the target level.
     */
    public int walkAlloc(Mm mm, long va, int targetLevel, int cpu, int node) {
        int table = mm.pgd;
        for (int level = levels; level > targetLevel; level--) {
            long[] t = tables.table(table);
            int idx = Pte.index(va, level);
            long e = t[idx];
            if (e == 0) {
                int nt = allocPgtable(mm, cpu, node); // charged to the group (__GFP_ACCOUNT)
                if (nt < 0) {
                    throw new WorkloadException("out of memory allocating a page table at 0x" + Long.toHexString(va));
                }
                clock.advance(cost.pgtableAllocPs);
                t[idx] = Pte.make(nt, Pte.TABLE_BITS);
                mm.tablesPerLevel[level - 1]++;
                table = nt;
            } else if (Pte.huge(e)) {
                return -2;
            } else {
                table = Pte.pfn(e);
            }
        }
        return table;
    }

    /**
     * {@code pagetable_alloc()} -> {@code alloc_pages()}: a page table follows the running task's
     * policy (mempolicy, issue 10) with {@code NO_INTERLEAVE_INDEX}; without one it goes to
     * {@code node}, the caller's choice.
     */
    private int allocPgtable(Mm mm, int cpu, int node) {
        Task t = currentTask;
        Mempolicy pol = t != null && t.mm == mm ? t.mempolicy.policy() : null;
        if (pol == null) {
            return tables.allocTable(cpu, node, mm.memcg);
        }
        int nid = PolicyNodes.policyNode(pol, t.mempolicy, PolicyNodes.NO_INTERLEAVE_INDEX, nodeOfCpu(t.cpu()),
                interleaveWeights);
        return tables.allocTable(cpu, nid, mm.memcg,
                pol.mode() == Mempolicy.MPOL_BIND ? pol.nodes() : Mempolicy.ALL_NODES);
    }

    /** As {@link #walkAlloc} without allocating: -1 if a table is missing, -2 if a huge leaf sits above. */
    public int walkNoAlloc(Mm mm, long va, int targetLevel) {
        int table = mm.pgd;
        for (int level = levels; level > targetLevel; level--) {
            long e = tables.table(table)[Pte.index(va, level)];
            if (e == 0) {
                return -1;
            }
            if (Pte.huge(e)) {
                return -2;
            }
            table = Pte.pfn(e);
        }
        return table;
    }

    /** The leaf entry mapping {@code va} (a PTE, or a huge PMD/PUD), or 0 if none. For tests and reports. */
    public long lookupLeaf(Mm mm, long va) {
        int table = mm.pgd;
        for (int level = levels; level >= 1; level--) {
            long e = tables.table(table)[Pte.index(va, level)];
            if (e == 0 || level == 1 || Pte.huge(e) || !Pte.present(e)) {
                return e;
            }
            table = Pte.pfn(e);
        }
        return 0;
    }

    // ---------------------------------------------------------------- pages

    /**
     * The node a new page for {@code va} goes to, as the NUMA policy decides. A node that does
     * not exist is not clamped here: the policy's guard ({@code io.vmsim.core.plugin.PolicyGuards})
     * stops the run naming the policy, instead of silently placing the page elsewhere.
     */
    public int allocationNode(Task task, Vma vma, long va) {
        return allocationNode(task, vma, va, 0);
    }

    /**
     * As {@link #allocationNode(Task, Vma, long)} for a folio of {@code order}: the VMA's memory
     * policy, else the task's ({@code get_vma_policy()}, mm/mempolicy.c); only under the default
     * policy does the NUMA policy plugin choose (Linux's default is local allocation, and
     * automatic balancing works alongside it). Leaves the policy's nodemask for
     * {@link #allocPagesMpol}.
     */
    public int allocationNode(Task task, Vma vma, long va, int order) {
        Mempolicy pol = vma.policy != null ? vma.policy : task.mempolicy.policy();
        int local = nodeOfCpu(task.cpu());
        if (pol == null) {
            allocMode = Mempolicy.MPOL_DEFAULT;
            allocNodemask = Mempolicy.ALL_NODES;
            return numa.allocationNode(task, vma, va, local);
        }
        long ilx = PolicyNodes.vmaInterleaveIndex(vma.pgoff, vma.start, va, order);
        return policyAllocNode(pol, task.mempolicy, ilx, local);
    }

    /**
     * The node of an allocation outside a VMA made for {@code task} ({@code alloc_pages()}: page
     * cache, page tables): the task's policy with {@code NO_INTERLEAVE_INDEX}, so interleaving
     * steps the task's {@code il_prev}; local allocation under the default policy.
     */
    public int taskPolicyNode(Task task) {
        Mempolicy pol = task.mempolicy.policy();
        int local = nodeOfCpu(task.cpu());
        if (pol == null) {
            allocMode = Mempolicy.MPOL_DEFAULT;
            allocNodemask = Mempolicy.ALL_NODES;
            return local;
        }
        return policyAllocNode(pol, task.mempolicy, PolicyNodes.NO_INTERLEAVE_INDEX, local);
    }

    private int policyAllocNode(Mempolicy pol, io.vmsim.core.mempolicy.TaskMempolicy tm, long ilx, int local) {
        int nid = PolicyNodes.policyNode(pol, tm, ilx, local, interleaveWeights);
        allocMode = pol.mode();
        allocNodemask = PolicyNodes.policyNodemask(pol);
        return nid;
    }

    /**
     * {@code alloc_pages_mpol()}: allocates under the policy the last {@link #allocationNode} or
     * {@link #taskPolicyNode} chose, starting at {@code nid}. Bind allocates only within its
     * nodes (failing, or reclaiming and OOM-killing, inside them); preferred-many tries its
     * nodes without direct reclaim first, then every node ({@code alloc_pages_preferred_many()});
     * the others fall back along {@code nid}'s zonelist. Counts {@code numa_interleave} when an
     * interleaving policy got the node it chose.
     */
    public int allocPagesMpol(int gfp, int order, int cpu, int nid) {
        int pfn;
        if (allocMode == Mempolicy.MPOL_PREFERRED_MANY) {
            int preferredGfp = (gfp | Gfp.__GFP_NOWARN) & ~(Gfp.__GFP_DIRECT_RECLAIM | Gfp.__GFP_NOFAIL);
            pfn = allocator.allocPages(preferredGfp, order, cpu, nid, allocNodemask);
            if (pfn < 0) {
                pfn = allocator.allocPages(gfp, order, cpu, nid, Mempolicy.ALL_NODES);
            }
        } else {
            pfn = allocator.allocPages(gfp, order, cpu, nid, allocNodemask);
        }
        if (pfn >= 0 && (allocMode == Mempolicy.MPOL_INTERLEAVE || allocMode == Mempolicy.MPOL_WEIGHTED_INTERLEAVE)
                && frames.nodeOf(pfn) == nid) {
            allocator.countInterleaveHit();
        }
        return pfn;
    }

    /**
     * The node of a page-cache page read for the running task ({@code filemap_alloc_folio()}):
     * the task's policy as {@link #taskPolicyNode}; local to {@code cpu} when no task of the
     * current address space runs (a daemon).
     */
    public int pageCacheNode(int cpu) {
        Task t = currentTask;
        if (t != null && t.mm == currentMm && currentMm != null) {
            return taskPolicyNode(t);
        }
        allocMode = Mempolicy.MPOL_DEFAULT;
        allocNodemask = Mempolicy.ALL_NODES;
        return nodeOfCpu(cpu);
    }

    /** {@code node_states[N_MEMORY]}: the nodes that have frames, as a mask. */
    public long memoryNodes() {
        long m = 0;
        for (int n = 0; n < frames.nrNodes(); n++) {
            if (frames.nodeEndPfn(n) > frames.nodeStartPfn(n)) {
                m |= 1L << n;
            }
        }
        return m;
    }

    /** The node of a CPU ({@code cpu_to_node()}), from the topology. */
    public int nodeOfCpu(int cpu) {
        return topology.nodeOfCpu(cpu);
    }

    /** Gives up a mapping of an anonymous page; frees the page (or its folio) when the last mapping goes. */
    public void putAnonPage(int pfn, int cpu) {
        if (frames.test(pfn, PageFrames.PG_TAIL) || frames.test(pfn, PageFrames.PG_HEAD)) {
            int head = pfn & ~(HPAGE_PMD_NR - 1);
            frames.mapcount[pfn]--;
            if (--frames.refcount[head] == 0) {
                freeAnonFolio(head, HPAGE_PMD_ORDER, cpu);
            }
            return;
        }
        frames.mapcount[pfn]--;
        if (--frames.refcount[pfn] == 0) {
            freeAnonFolio(pfn, 0, cpu);
        }
    }

    /**
     * {@code folio_put()} of a reference that is not a mapping (a shmem object's hold on its
     * page): the page is freed when it was the last.
     */
    public void putPageRef(int pfn, int cpu) {
        if (--frames.refcount[pfn] == 0) {
            freeAnonFolio(pfn, 0, cpu);
        }
    }

    /** Total mappings of the page holding {@code pfn}: its own PTE mappings plus its folio's PMD mappings. */
    public int totalMapcount(int pfn) {
        if (frames.test(pfn, PageFrames.PG_TAIL) || frames.test(pfn, PageFrames.PG_HEAD)) {
            int head = pfn & ~(HPAGE_PMD_NR - 1);
            return frames.mapcount[pfn] + entireMapcount(head);
        }
        return frames.mapcount[pfn];
    }

    /** {@code folio_entire_mapcount()}: PMD mappings of a huge page. */
    public int entireMapcount(int head) {
        return frames.mapping[head + 1];
    }

    public void setEntireMapcount(int head, int n) {
        frames.mapping[head + 1] = n;
    }

    /**
     * Frees order-0 anonymous page {@code pfn} that the swap cache alone held (mapped by no PTE,
     * refcount 0) once it has left the swap cache ({@code free_swap_and_cache()}).
     */
    public void freeSwapCacheOnlyPage(int pfn) {
        freeAnonFolio(pfn, 0, 0);
    }

    private void freeAnonFolio(int head, int order, int cpu) {
        if (frames.test(head, PageFrames.PG_LRU)) {
            frames.clear(head, PageFrames.PG_LRU);
            reclaim.pageRemoved(head);
        }
        if (frames.test(head, PageFrames.PG_SWAPCACHE)) {
            hooks.swapCachePageFreed(head);
        }
        hooks.uncharge(head, 1 << order);
        if (frames.test(head, PageFrames.PG_KSM)) {
            ksm.ksmPageFreed(head); // KSM (issue 11): its stable node goes
        }
        if (order == HPAGE_PMD_ORDER) {
            frames.priv[head + 2] = 0; // khugepaged's idle count, a folio field in a tail page
        }
        int n = 1 << order;
        for (int i = 0; i < n; i++) {
            int p = head + i;
            frames.flags[p] &= PageFrames.PG_HEAD | PageFrames.PG_TAIL;
            frames.mapcount[p] = 0;
            frames.mapping[p] = 0;
            frames.index[p] = 0;
            contents.clear(p);
        }
        frames.refcount[head] = 0;
        nrAnonPages -= n;
        if (order == HPAGE_PMD_ORDER) {
            nrAnonThps--;
            huge.folioFreed(head); // THP (issue 5)
        }
        allocator.freePages(head, order, cpu);
    }

    /** Marks a freshly allocated page (or folio) anonymous and hands it to the reclaim policy ({@code folio_add_new_anon_rmap} + {@code folio_add_lru_vma}). */
    public void newAnonFolio(int head, int order, Vma vma, long va) {
        newAnonFolio(head, order, vma, va, true, NO_SHADOW);
    }

    /** No shadow entry: the page was never evicted (or its shadow is gone). */
    public static final long NO_SHADOW = Long.MIN_VALUE;

    /**
     * As {@link #newAnonFolio(int, int, Vma, long)}; {@code referenced} is false for a page that
     * arrives without a use (a huge page built by khugepaged), which the policy gets through
     * {@code pageAddedUnreferenced}; a {@code shadow} other than {@link #NO_SHADOW} is a swap-in's
     * refault, handed to the policy just before the page ({@code workingset_refault()} then
     * {@code folio_add_lru()}).
     */
    public void newAnonFolio(int head, int order, Vma vma, long va, boolean referenced, long shadow) {
        newAnonFolio(head, order, vma, va, referenced, shadow, -1);
    }

    /** As above, the shadow left by an eviction from LRU domain {@code shadowDomain} (-1: the page's own). */
    public void newAnonFolio(int head, int order, Vma vma, long va, boolean referenced, long shadow, int shadowDomain) {
        int n = 1 << order;
        vma.anonVmaPrepared = true;
        long index = vma.linearIndex(va & ~((long) n * 4096 - 1));
        for (int i = 0; i < n; i++) {
            int p = head + i;
            frames.set(p, PageFrames.PG_ANON | PageFrames.PG_SWAPBACKED);
            if (order == 0 || i != 1) {
                // the first tail's mapping holds the folio's entire mapcount, set by the caller
                frames.mapping[p] = vma.anonVma().id();
            }
            frames.index[p] = (int) (index + i);
        }
        nrAnonPages += n;
        if (lastCpupid != null) {
            java.util.Arrays.fill(lastCpupid, head, head + n, -1);
        }
        hooks.charge(head, n, vma.mm());
        if (vma.has(io.vmsim.api.VmaFlags.VM_LOCKED)) {
            // mlock_new_folio(): a page faulted into a VM_LOCKED area never reaches the LRU
            frames.set(head, PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE);
            vmstat.add(VmEvent.UNEVICTABLE_PGS_MLOCKED, n);
            return;
        }
        if (!anonEvictable) {
            // without swap an anonymous page can never be reclaimed (the unevictable LRU of mm/vmscan.c)
            frames.set(head, PageFrames.PG_UNEVICTABLE);
            return;
        }
        frames.set(head, PageFrames.PG_LRU);
        if (shadow != NO_SHADOW) {
            vmstat.count(VmEvent.WORKINGSET_REFAULT_ANON);
            reclaim.pageRefaulted(head, shadow, shadowDomain);
        }
        if (referenced) {
            reclaim.pageAdded(head, true);
        } else {
            reclaim.pageAddedUnreferenced(head, true);
        }
    }

    /**
     * {@code mlock_folio()}: takes the page holding {@code pfn} (its folio) off the LRU and
     * marks it mlocked; the reclaim policy is told it left.
     */
    public void mlockPage(int pfn) {
        int head = frames.test(pfn, PageFrames.PG_TAIL | PageFrames.PG_HEAD) ? pfn & ~(HPAGE_PMD_NR - 1) : pfn;
        if (frames.test(head, PageFrames.PG_MLOCKED)) {
            return;
        }
        if (frames.test(head, PageFrames.PG_LRU)) {
            frames.clear(head, PageFrames.PG_LRU);
            reclaim.pageRemoved(head);
        }
        frames.set(head, PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE);
        vmstat.count(VmEvent.UNEVICTABLE_PGS_MLOCKED);
    }

    /** Gives up a PTE mapping of a page-cache page; the page stays cached ({@code folio_remove_rmap_pte()} + {@code folio_put()}). */
    public void putFilePage(int pfn, boolean dirty) {
        frames.mapcount[pfn]--;
        frames.refcount[pfn]--;
        if (dirty) {
            hooks.filePageDirtied(pfn);
        }
    }

    // ---------------------------------------------------------------- huge PMDs

    /** Pushes a PTE table on the deposit list of a PMD table ({@code pgtable_trans_huge_deposit()}). */
    public void deposit(Mm mm, int pmdTable, int pteTable) {
        frames.next[pteTable] = frames.mapping[pmdTable] - 1;
        frames.mapping[pmdTable] = pteTable + 1;
        mm.depositedTables++;
    }

    /** Pops a deposited PTE table ({@code pgtable_trans_huge_withdraw()}). */
    public int withdraw(Mm mm, int pmdTable) {
        int t = frames.mapping[pmdTable] - 1;
        if (t < 0) {
            throw new IllegalStateException("no deposited page table under PMD table " + pmdTable);
        }
        frames.mapping[pmdTable] = frames.next[t] + 1;
        frames.next[t] = 0;
        mm.depositedTables--;
        return t;
    }

    /**
     * Replaces a huge PMD by a table of 512 PTEs mapping the same memory with the same
     * permissions ({@code __split_huge_pmd_locked()}). Uses the deposited table, so it cannot
     * fail. Counts {@code thp_split_pmd}.
     */
    public void splitHugePmd(Mm mm, int pmdTable, int pmdIndex, long haddr) {
        long[] pmdT = tables.table(pmdTable);
        long pmd = pmdT[pmdIndex];
        int head = Pte.pfn(pmd);
        int pt = withdraw(mm, pmdTable);
        long[] ptes = tables.table(pt);
        long bits = pmd & (Pte.PRESENT | Pte.PROTNONE | Pte.RW | Pte.USER | Pte.ACCESSED | Pte.DIRTY | Pte.SPECIAL
                | Pte.SOFT_DIRTY);
        if (head == hugeZeroPfn) {
            long zero = Pte.make(zeroPfn, (bits & ~(Pte.RW | Pte.DIRTY)) | Pte.SPECIAL);
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                ptes[i] = zero;
            }
        } else {
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                ptes[i] = Pte.make(head + i, bits);
                frames.mapcount[head + i]++;
            }
            setEntireMapcount(head, entireMapcount(head) - 1);
            frames.refcount[head] += HPAGE_PMD_NR - 1;
        }
        pmdT[pmdIndex] = Pte.make(pt, Pte.TABLE_BITS);
        mm.tablesPerLevel[1]++;
        vmstat.count(VmEvent.THP_SPLIT_PMD);
        // flush_pmd_tlb_range(): one invalidation with a PMD stride covers the huge entry
        flushTlbPage(mm, haddr);
    }

    /** Returns the huge zero page, allocating it on first use ({@code mm_get_huge_zero_page()}), or -1. */
    public int hugeZeroPage(int cpu) {
        if (hugeZeroPfn < 0) {
            int p = allocator.allocPages((Gfp.GFP_TRANSHUGE | Gfp.__GFP_ZERO) & ~Gfp.__GFP_MOVABLE,
                    HPAGE_PMD_ORDER, cpu, frames.nodeOf(0));
            if (p < 0) {
                return -1;
            }
            clock.advance(cost.zero2mPs);
            frames.set(p, PageFrames.PG_RESERVED);
            hugeZeroPfn = p;
            vmstat.count(VmEvent.THP_ZERO_PAGE_ALLOC);
        }
        return hugeZeroPfn;
    }

    // ---------------------------------------------------------------- zapping

    /**
     * Unmaps every page in {@code [start, end)} of one VMA and releases it
     * ({@code zap_page_range_single()}); huge PMDs only partly inside the range are split first.
     * The tables themselves stay; see {@link #freePgtables}.
     */
    public void zapRange(Mm mm, long start, long end, int cpu) {
        long pages = 0;
        long va = start;
        while (va < end) {
            long next = Math.min(end, (va | (HPAGE_PMD_SIZE - 1)) + 1);
            int pmdTable = walkNoAlloc(mm, va, 2);
            if (pmdTable < 0) {
                va = next;
                continue;
            }
            long[] pmdT = tables.table(pmdTable);
            int pi = Pte.index(va, 2);
            long pmd = pmdT[pi];
            if (pmd == 0) {
                va = next;
                continue;
            }
            if (Pte.huge(pmd)) {
                long haddr = va & ~(HPAGE_PMD_SIZE - 1);
                if (va == haddr && next - va == HPAGE_PMD_SIZE) {
                    zapHugePmd(mm, pmdTable, pi, cpu);
                    pages += HPAGE_PMD_NR;
                    va = next;
                    continue;
                }
                splitHugePmd(mm, pmdTable, pi, haddr);
                pmd = pmdT[pi];
            }
            long[] ptes = tables.table(Pte.pfn(pmd));
            for (long a = va; a < next; a += 4096) {
                int i = Pte.index(a, 1);
                long e = ptes[i];
                if (e == 0) {
                    continue;
                }
                ptes[i] = 0;
                pages++;
                if (Pte.present(e)) {
                    int pfn = Pte.pfn(e);
                    if (pfn == zeroPfn && (e & Pte.DIRTY) != 0) {
                        ksm.zeroPageUnmapped(mm); // KSM (issue 11): a dirty zero-page PTE is KSM's
                    }
                    if (pfn != zeroPfn) {
                        if (frames.test(pfn, PageFrames.PG_FILE)) {
                            mm.rssFile--;
                            putFilePage(pfn, (e & Pte.DIRTY) != 0);
                        } else {
                            mm.rssAnon--;
                            boolean compound = frames.test(pfn, PageFrames.PG_TAIL | PageFrames.PG_HEAD);
                            putAnonPage(pfn, cpu);
                            int head = pfn & ~(HPAGE_PMD_NR - 1);
                            if (compound && frames.refcount[head] > 0) {
                                huge.partiallyUnmapped(head); // THP (issue 5)
                            }
                        }
                    }
                } else if (Pte.isSwap(e)) {
                    mm.swapEnts--;
                    hooks.swapEntryFreed(e);
                }
            }
            va = next;
        }
        if (pages > 0) {
            flushTlbRange(mm, start, end);
        }
    }

    private void zapHugePmd(Mm mm, int pmdTable, int pi, int cpu) {
        long[] pmdT = tables.table(pmdTable);
        long pmd = pmdT[pi];
        pmdT[pi] = 0;
        int dep = withdraw(mm, pmdTable);
        tables.freeTable(dep, cpu);
        int head = Pte.pfn(pmd);
        if (head == hugeZeroPfn) {
            return;
        }
        mm.rssAnon -= HPAGE_PMD_NR;
        setEntireMapcount(head, entireMapcount(head) - 1);
        if (--frames.refcount[head] == 0) {
            freeAnonFolio(head, HPAGE_PMD_ORDER, cpu);
        }
    }

    /**
     * Frees page-table pages under {@code [start, end)} that no longer map anything
     * ({@code free_pgtables()}); tables still holding entries of other areas stay.
     */
    public void freePgtables(Mm mm, long start, long end, int cpu) {
        freeEmpty(mm, mm.pgd, levels, start, end, 0L, cpu);
        for (Mmu m : mmus) {
            m.flushPcid(mm.pcid);
        }
    }

    /** Frees empty tables below {@code table} (at {@code level}, covering from {@code base}); returns true if {@code table} is now empty. */
    private boolean freeEmpty(Mm mm, int table, int level, long start, long end, long base, int cpu) {
        long[] t = tables.table(table);
        long span = Pte.span(level);
        boolean empty = true;
        for (int i = 0; i < 512; i++) {
            long e = t[i];
            if (e == 0) {
                continue;
            }
            long lo = base + i * span;
            long hi = lo + span;
            if (level > 1 && !Pte.huge(e) && Pte.present(e) && hi > start && lo < end) {
                int child = Pte.pfn(e);
                if (freeEmpty(mm, child, level - 1, start, end, lo, cpu)) {
                    t[i] = 0;
                    tables.freeTable(child, cpu);
                    mm.tablesPerLevel[level - 1]--;
                    continue;
                }
            }
            empty = false;
        }
        return empty;
    }

    // ---------------------------------------------------------------- TLB

    /** {@code flush_tlb_page()} on every CPU. */
    public void flushTlbPage(Mm mm, long va) {
        for (Mmu m : mmus) {
            m.invalidate(mm.pcid, va);
        }
        vmstat.count(VmEvent.NR_TLB_LOCAL_FLUSH_ONE);
    }

    /** {@code flush_tlb_range()}: page by page up to the ceiling, else the whole address space. */
    public void flushTlbRange(Mm mm, long start, long end) {
        long pages = (end - start) >>> 12;
        if (pages > TLB_SINGLE_PAGE_FLUSH_CEILING) {
            flushTlbMm(mm);
            return;
        }
        for (long a = start; a < end; a += 4096) {
            for (Mmu m : mmus) {
                m.invalidate(mm.pcid, a);
            }
        }
        vmstat.add(VmEvent.NR_TLB_LOCAL_FLUSH_ONE, pages);
    }

    /** {@code flush_tlb_mm()} on every CPU. */
    public void flushTlbMm(Mm mm) {
        for (Mmu m : mmus) {
            m.flushPcid(mm.pcid);
        }
        vmstat.count(VmEvent.NR_TLB_LOCAL_FLUSH_ALL);
    }
}
