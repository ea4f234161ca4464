package io.vmsim.core.numa;

import io.vmsim.api.VmaFlags;
import io.vmsim.api.policy.NumaHintFault;
import io.vmsim.api.policy.NumaPolicy;
import io.vmsim.api.policy.NumaTaskStats;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.migrate.Migrator;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Automatic NUMA balancing ({@code kernel.numa_balancing=1}), after Linux 6.18's
 * {@code kernel/sched/fair.c} and {@code mm/memory.c}:
 * <ul>
 *   <li>the scanner: {@code task_tick_numa()} on each scheduler tick of a task that ran, and
 *       {@code task_numa_work()}, which marks {@code numa_balancing_scan_size_mb} of the task's
 *       address space NUMA-hinting per pass ({@code change_prot_numa()}: the PTE keeps its page
 *       and becomes PROT_NONE, its TLB entries are flushed), the pass period adapting between
 *       the minimum and maximum as {@code update_task_scan_period()} does;</li>
 *   <li>the hinting fault ({@code do_numa_page()}, {@code do_huge_pmd_numa_page()}): the entry is
 *       made accessible again, the page's {@code last_cpupid} exchanged for the faulting task's
 *       ({@code folio_xchg_last_cpupid()}), the policy asked whether to migrate, the page
 *       migrated ({@code migrate_misplaced_folio()}), and the fault recorded for the task
 *       ({@code task_numa_fault()});</li>
 *   <li>placement: decayed per-node fault statistics ({@code task_numa_placement()}), the
 *       preferred node (the policy's advice), moving the task to a CPU of that node or swapping it
 *       with a task there ({@code task_numa_migrate()}), and numa groups of tasks that fault on
 *       each other's pages ({@code task_numa_group()}).</li>
 * </ul>
 *
 * <p>Simplifications: the scanner's work is a daemon step (its CPU time is reported under
 * {@code numa_balancing}), not charged to the task as on return to user space; a task's run
 * time is the simulated time since it first ran; only anonymous areas are scanned (the
 * migrator moves anonymous pages only), and the per-VMA scan filters of 6.4+
 * ({@code vma_is_accessed()}, {@code numab_state}) are not modelled; the task placement search
 * compares fault weights only (no run-queue load) and, as on a machine whose nodes are all
 * directly connected ({@code NUMA_DIRECT}), considers only the preferred node; a transparent
 * huge page is not migrated (the migrator moves order-0 pages), so its hinting fault counts a
 * failed migration when the policy asks for one.
 */
public final class NumaBalancing implements Daemons.Daemon {
    // task_numa_fault() flags (include/linux/sched/numa_balancing.h)
    static final int TNF_MIGRATED = 0x01;
    static final int TNF_NO_GROUP = 0x02;
    static final int TNF_SHARED = 0x04;
    static final int TNF_FAULT_LOCAL = 0x08;
    static final int TNF_MIGRATE_FAIL = 0x10;
    /** NUMA_PERIOD_SLOTS and NUMA_PERIOD_THRESHOLD of update_task_scan_period(). */
    static final int NUMA_PERIOD_SLOTS = 10;
    static final int NUMA_PERIOD_THRESHOLD = 7;
    /** MAX_SCAN_WINDOW: never scan more than 2560 MB/s. */
    static final int MAX_SCAN_WINDOW = 2560;
    /** SMALLIMP of task_numa_compare(): smaller improvements do not move tasks. */
    static final int SMALLIMP = 30;
    /** The scheduler tick (TICK_NSEC at HZ=250). */
    static final long TICK_NS = 4_000_000L;
    private static final long NS_PER_MS = 1_000_000L;
    /** {@code LAST__PID_SHIFT}: a cpupid keeps the low 8 bits of the pid. */
    private static final int PID_BITS = 8;
    private static final int PID_MASK = (1 << PID_BITS) - 1;

    /** Per address space: {@code mm->numa_next_scan}, {@code numa_scan_offset}, {@code numa_scan_seq}. */
    static final class MmScan {
        final Mm mm;
        long nextScanNs;
        long scanOffset;
        int scanSeq;
        int users;

        MmScan(Mm mm) {
            this.mm = mm;
        }
    }

    private final Kernel k;
    private final PageFrames frames;
    /**
     * Huge pages a hinting fault would have migrated (or, in tiering mode, considered for
     * promotion) and left in place, because vmsim migrates order-0 pages only where Linux
     * migrates the whole folio: the run warns with this count.
     */
    private long hugeLeftInPlace;
    private final NumaPolicy policy;
    private final Migrator migrator;
    private final int nrNodes;
    private final int nrCpus;
    private final boolean active;
    private final long scanDelayMs;
    private final long periodMinMs;
    private final long periodMaxMs;
    private final long scanSizeMb;
    private final List<NumaTask> tasks = new ArrayList<>();
    private final Map<Mm, MmScan> mms = new IdentityHashMap<>();
    /** {@code cpu_rq(cpu)->curr}: the task each CPU runs, or null. */
    private final NumaTask[] curr;
    private final Fault fault = new Fault();
    private final Stats stats = new Stats();
    private int nextGroupId;
    /** Memory tiering ({@code kernel.numa_balancing} with bit 2), or null. */
    private io.vmsim.core.memtier.Tiering tiering;

    /**
     * @param mode the value of {@code kernel.numa_balancing} (0 or 1)
     */
    public NumaBalancing(Kernel kernel, NumaPolicy policy, Daemons daemons, int mode, long scanDelayMs, long periodMinMs,
                         long periodMaxMs, long scanSizeMb) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.policy = policy;
        this.migrator = new Migrator(kernel);
        this.nrNodes = frames.nrNodes();
        this.nrCpus = kernel.mmus.length;
        this.active = mode != 0 && policy.wantsHintingFaults();
        this.scanDelayMs = scanDelayMs;
        this.periodMinMs = periodMinMs;
        this.periodMaxMs = Math.max(periodMinMs, periodMaxMs);
        this.scanSizeMb = scanSizeMb;
        this.curr = new NumaTask[nrCpus];
        if (active) {
            int[] last = new int[frames.nrFrames()];
            java.util.Arrays.fill(last, -1);
            kernel.lastCpupid = last;
            daemons.register(this, TICK_NS);
        }
    }

    @Override
    public String name() {
        return "numa_balancing";
    }

    /** Installs memory tiering: slow-tier pages are scanned and promoted as {@code NUMA_BALANCING_MEMORY_TIERING} does. */
    public void setTiering(io.vmsim.core.memtier.Tiering t) {
        this.tiering = t;
    }

    /**
     * {@code change_pte_range()} under MM_CP_PROT_NUMA in tiering mode (Linux 6.18): top-tier pages
     * are skipped unless normal balancing is on too; a slower tier's page records the scan time as
     * its access time ({@code folio_xchg_access_time()}). Returns true to skip the page.
     */
    private boolean tierSkip(int pfn) {
        if (tiering == null || !tiering.tieringMode()) {
            return false;
        }
        boolean top = tiering.tiers().isToptier(frames.nodeOf(pfn));
        if (top) {
            return !tiering.normalMode();
        }
        tiering.markScanned(pfn);
        return false;
    }

    /** True if the scanner runs: {@code kernel.numa_balancing} is on and the policy wants hinting faults. */
    public boolean active() {
        return active;
    }

    // ---------------------------------------------------------------- tasks

    /** A new task ({@code init_numa_balancing()}): the scan of its address space starts after scan_delay_ms. */
    public void taskCreated(Task t) {
        if (!active) {
            return;
        }
        MmScan ms = mms.get(t.mm());
        if (ms == null) {
            ms = new MmScan(t.mm());
            ms.nextScanNs = k.clock.nanoTime() + scanDelayMs * NS_PER_MS;
            mms.put(t.mm(), ms);
        }
        ms.users++;
        NumaTask nt = new NumaTask(t, ms, nrNodes, nextGroupId++);
        nt.scanPeriodMs = scanDelayMs;
        nt.refsAtTick = t.numaRefs;
        t.numaIndex = tasks.size();
        tasks.add(nt);
        if (curr[t.cpu()] == null) {
            curr[t.cpu()] = nt;
        }
    }

    /**
     * A reference by {@code t}: counts it for {@code task_tick_numa()}, which runs for a task
     * that ran since the last tick. Locality is counted once, by {@link io.vmsim.core.topology.NodeAccesses}.
     */
    public void account(Task t) {
        t.numaRefs++;
    }

    /** The tasks balancing follows, in creation order. */
    public List<Task> tasks() {
        List<Task> out = new ArrayList<>();
        for (NumaTask nt : tasks) {
            out.add(nt.task);
        }
        return out;
    }

    /** The node a task prefers ({@code numa_preferred_nid}), or -1. */
    public int preferredNode(Task t) {
        return t.numaIndex < 0 ? -1 : tasks.get(t.numaIndex).preferredNid;
    }

    /** The task's current scan period in ms ({@code numa_scan_period}). */
    public long scanPeriodMs(Task t) {
        return tasks.get(t.numaIndex).scanPeriodMs;
    }

    /** Tasks in the task's numa group, 0 if it has none. */
    public int groupTasks(Task t) {
        NumaGroup g = tasks.get(t.numaIndex).group;
        return g == null ? 0 : g.nrTasks;
    }

    /** The task's decayed memory faults on {@code node} ({@code task_faults()}). */
    public long taskFaults(Task t, int node) {
        return tasks.get(t.numaIndex).taskFaults(node);
    }

    // ---------------------------------------------------------------- the scanner

    /** Runs {@code task_numa_work()} for {@code t} now, as the tick after its scan time would (for tests and tools). */
    public void scanNow(Task t) {
        NumaTask nt = tasks.get(t.numaIndex);
        nt.mm.nextScanNs = Math.min(nt.mm.nextScanNs, k.clock.nanoTime());
        taskNumaWork(nt, k.clock.nanoTime());
    }

    /** Full scan passes made over the task's address space ({@code mm->numa_scan_seq}). */
    public int mmScanSeq(Task t) {
        return tasks.get(t.numaIndex).mm.scanSeq;
    }

    @Override
    public long run(long nowNs) {
        for (int i = 0; i < tasks.size(); i++) {
            NumaTask nt = tasks.get(i);
            Task t = nt.task;
            if (t.mm().exited || t.numaRefs == nt.refsAtTick) {
                continue; // task_tick_numa() runs for the task on the CPU only
            }
            nt.refsAtTick = t.numaRefs;
            taskTickNuma(nt, nowNs);
        }
        return TICK_NS;
    }

    /** {@code task_tick_numa()}: queue the scan work when the task ran a scan period since the last. */
    void taskTickNuma(NumaTask nt, long nowNs) {
        if (nt.startNs < 0) {
            nt.startNs = nowNs;
            nt.nodeStampNs = 0;
        }
        long runtime = nowNs - nt.startNs;
        long period = nt.scanPeriodMs * NS_PER_MS;
        if (runtime > nt.nodeStampNs + period) {
            if (nt.nodeStampNs == 0) {
                nt.scanPeriodMs = taskScanStart(nt);
            }
            nt.nodeStampNs += period;
            if (nowNs >= nt.mm.nextScanNs) {
                taskNumaWork(nt, nowNs);
            }
        }
    }

    /** {@code task_numa_work()}: marks the next scan_size of the address space. */
    void taskNumaWork(NumaTask nt, long nowNs) {
        MmScan ms = nt.mm;
        Mm mm = ms.mm;
        if (mm.exited || nowNs < ms.nextScanNs) {
            return;
        }
        ms.nextScanNs = nowNs + nt.scanPeriodMs * NS_PER_MS;
        long pages = policy.scanPages(nt.task, scanSizeMb << (20 - 12));
        long virtpages = pages * 8; // also bound the scan of unpopulated ranges
        long start = ms.scanOffset;
        // single-threaded: pages already on the node the process runs on are left (change_pte_range())
        int targetNode = ms.users == 1 ? k.nodeOfCpu(nt.task.cpu()) : -1;
        boolean stopped = false;
        for (Vma vma : mm.vmas()) {
            if (vma.end() <= start) {
                continue;
            }
            if (!vma.isAnon() || vma.has(VmaFlags.VM_HUGETLB) || !vma.accessible()) {
                continue;
            }
            // vma_policy_mof() (mm/mempolicy.c, Linux 6.18): only the default policy carries
            // MPOL_F_MOF; an area under an explicit policy (the VMA's, else the scanning task's)
            // is not scanned, so balancing never moves pages a policy placed (MPOL_F_NUMA_BALANCING
            // is not modelled)
            if ((vma.policy() != null ? vma.policy() : nt.task.mempolicy.policy()) != null) {
                continue;
            }
            long end;
            do {
                start = Math.max(start, vma.start());
                end = (start + (pages << 12) + Kernel.HPAGE_PMD_SIZE - 1) & ~(Kernel.HPAGE_PMD_SIZE - 1);
                end = Math.min(end, vma.end());
                long updated = changeProtNuma(mm, vma, start, end, targetNode);
                if (updated > 0) {
                    pages -= (end - start) >>> 12;
                }
                virtpages -= (end - start) >>> 12;
                start = end;
                if (pages <= 0 || virtpages <= 0) {
                    stopped = true;
                    break;
                }
            } while (end != vma.end());
            if (stopped) {
                break;
            }
        }
        if (stopped) {
            ms.scanOffset = start;
        } else {
            // reset_ptenuma_scan(): the whole address space was scanned
            ms.scanSeq++;
            ms.scanOffset = 0;
        }
    }

    /**
     * {@code change_prot_numa()}: makes the present, accessible entries of {@code [start, end)}
     * NUMA-hinting and flushes their TLB entries. Returns the pages updated; counts
     * {@code numa_pte_updates} and {@code numa_huge_pte_updates}.
     */
    long changeProtNuma(Mm mm, Vma vma, long start, long end, int targetNode) {
        long updated = 0;
        long huge = 0;
        boolean cow = !vma.has(VmaFlags.VM_SHARED) && vma.has(VmaFlags.VM_MAYWRITE);
        long va = start;
        while (va < end) {
            long next = Math.min(end, (va | (Kernel.HPAGE_PMD_SIZE - 1)) + 1);
            int pmdTable = k.walkNoAlloc(mm, va, 2);
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
            if (Pte.huge(pmd)) {
                long haddr = va & ~(Kernel.HPAGE_PMD_SIZE - 1);
                if (va != haddr || next - va != Kernel.HPAGE_PMD_SIZE) {
                    k.splitHugePmd(mm, pmdTable, pi, haddr); // __split_huge_pmd() of a partly covered PMD
                    pmd = pmdT[pi];
                } else {
                    // change_huge_pmd(): not the huge zero page, not already PROT_NONE
                    int head = Pte.pfn(pmd);
                    if ((pmd & Pte.PRESENT) != 0 && head != k.hugeZeroPfn && frames.nodeOf(head) != targetNode && !tierSkip(head)) {
                        pmdT[pi] = Pte.mkProtnone(pmd);
                        updated += Kernel.HPAGE_PMD_NR;
                        huge++;
                    }
                    va = next;
                    continue;
                }
            }
            long[] ptes = k.tables.table(Pte.pfn(pmd));
            for (long a = va; a < next; a += 4096) {
                int i = Pte.index(a, 1);
                long e = ptes[i];
                if ((e & Pte.PRESENT) == 0 || (e & Pte.SPECIAL) != 0) {
                    continue; // none, swap, already PROT_NONE, or the zero page
                }
                int pfn = Pte.pfn(e);
                if (pfn == k.zeroPfn || frames.test(pfn, PageFrames.PG_RESERVED)) {
                    continue;
                }
                if (cow && k.totalMapcount(pfn) > 1) {
                    continue; // a shared copy-on-write page
                }
                if (frames.nodeOf(pfn) == targetNode || tierSkip(pfn)) {
                    continue;
                }
                ptes[i] = Pte.mkProtnone(e);
                updated++;
            }
            va = next;
        }
        if (updated > 0) {
            k.flushTlbRange(mm, start, end);
            k.vmstat.add(VmEvent.NUMA_PTE_UPDATES, updated);
            k.vmstat.add(VmEvent.NUMA_HUGE_PTE_UPDATES, huge);
        }
        return updated;
    }

    // ---------------------------------------------------------------- scan period

    /** {@code task_nr_scan_windows()}: the address space's RSS in scan_size windows, at least 1. */
    long taskNrScanWindows(NumaTask nt) {
        long nrScanPages = scanSizeMb << (20 - 12);
        long rss = nt.task.mm().rssAnon + nt.task.mm().rssFile;
        if (rss == 0) {
            rss = nrScanPages;
        }
        rss = (rss + nrScanPages - 1) / nrScanPages * nrScanPages;
        return rss / nrScanPages;
    }

    /** {@code task_scan_min()}. */
    long taskScanMin(NumaTask nt) {
        long windows = 1;
        if (scanSizeMb < MAX_SCAN_WINDOW) {
            windows = MAX_SCAN_WINDOW / scanSizeMb;
        }
        long floor = 1000 / windows;
        long scan = periodMinMs / taskNrScanWindows(nt);
        return Math.max(floor, scan);
    }

    /** {@code task_scan_start()}. */
    long taskScanStart(NumaTask nt) {
        long smin = taskScanMin(nt);
        long period = smin;
        NumaGroup ng = nt.group;
        if (ng != null) {
            long shared = ng.faultsMemPriv(0);
            long priv = ng.faultsMemPriv(1);
            period *= ng.nrTasks; // refcount_read(&ng->refcount): one reference per task
            period *= shared + 1;
            period /= priv + shared + 1;
        }
        return Math.max(smin, period);
    }

    /** {@code task_scan_max()}. */
    long taskScanMax(NumaTask nt) {
        long smin = taskScanMin(nt);
        long smax = periodMaxMs / taskNrScanWindows(nt);
        NumaGroup ng = nt.group;
        if (ng != null) {
            long shared = ng.faultsMemPriv(0);
            long priv = ng.faultsMemPriv(1);
            long period = smax;
            period *= ng.nrTasks;
            period *= shared + 1;
            period /= priv + shared + 1;
            smax = Math.max(smax, period);
        }
        return Math.max(smin, smax);
    }

    /** {@code update_task_scan_period()}: slower when faults are local or shared, faster when private and remote. */
    void updateTaskScanPeriod(NumaTask nt, long shared, long priv, long nowNs) {
        long remote = nt.locality[0];
        long local = nt.locality[1];
        if (local + shared == 0 || nt.locality[2] != 0) {
            nt.scanPeriodMs = policy.scanPeriodMs(nt.task, Math.min(nt.scanPeriodMaxMs, nt.scanPeriodMs << 1));
            nt.mm.nextScanNs = nowNs + nt.scanPeriodMs * NS_PER_MS;
            return;
        }
        long p = Math.min(Math.max(nt.scanPeriodMs + scanPeriodDiff(nt.scanPeriodMs, local, remote, shared, priv),
                taskScanMin(nt)), taskScanMax(nt));
        nt.scanPeriodMs = policy.scanPeriodMs(nt.task, p);
        java.util.Arrays.fill(nt.locality, 0);
    }

    /**
     * The change of {@code update_task_scan_period()} (Linux 4.19 and later) to a scan period of
     * {@code periodMs} after these faults: longer when most were local ({@code lr_ratio}) or
     * shared ({@code sp_ratio}), by a tenth of the period per slot above 7 in 10; shorter otherwise.
     */
    static long scanPeriodDiff(long periodMs, long local, long remote, long shared, long priv) {
        long periodSlot = (periodMs + NUMA_PERIOD_SLOTS - 1) / NUMA_PERIOD_SLOTS;
        long lrRatio = local + remote == 0 ? 0 : local * NUMA_PERIOD_SLOTS / (local + remote);
        long spRatio = shared * NUMA_PERIOD_SLOTS / (priv + shared);
        if (lrRatio >= NUMA_PERIOD_THRESHOLD) {
            // most accesses are local: no need to scan fast
            return Math.max(1, lrRatio - NUMA_PERIOD_THRESHOLD) * periodSlot;
        }
        if (spRatio >= NUMA_PERIOD_THRESHOLD) {
            // most accesses are shared: other tasks may move the memory anyway
            return Math.max(1, spRatio - NUMA_PERIOD_THRESHOLD) * periodSlot;
        }
        // private and remote: scan faster
        return -(NUMA_PERIOD_THRESHOLD - Math.max(lrRatio, spRatio)) * periodSlot;
    }

    // ---------------------------------------------------------------- hinting faults

    /**
     * {@code do_numa_page()}: a reference by {@code task} hit the NUMA-hinting PTE {@code ptes[i]}
     * mapping {@code va}. On return the entry is accessible (the page perhaps migrated).
     */
    public void pteFault(Task task, Vma vma, long va, long[] ptes, int i) {
        long pte = ptes[i];
        int pfn = Pte.pfn(pte);
        Mm mm = task.mm();
        int cpu = task.cpu();
        int thisNid = k.nodeOfCpu(cpu);
        int pageNid = frames.nodeOf(pfn);
        k.vmstat.count(VmEvent.NUMA_HINT_FAULTS);
        int flags = 0;
        // restore the entry (pte_modify() to the VMA's protection, then can_change_pte_writable())
        ptes[i] = restored(pte, vma, pfn);
        if (!active || task.numaIndex < 0) {
            return;
        }
        if (vma.has(VmaFlags.VM_SHARED) && k.totalMapcount(pfn) > 1) {
            flags |= TNF_SHARED;
        }
        if (pageNid == thisNid) {
            k.vmstat.count(VmEvent.NUMA_HINT_FAULTS_LOCAL);
            flags |= TNF_FAULT_LOCAL;
        }
        NumaTask nt = tasks.get(task.numaIndex);
        if (tiering != null && tiering.usesAccessTime(pageNid)) {
            promotionFault(task, nt, va, ptes, i, pfn, pageNid, thisNid, flags);
            return;
        }
        int last = exchangeCpupid(pfn, cpu, task);
        int target = ask(nt, pfn, pageNid, cpu, thisNid, last, (flags & TNF_SHARED) != 0);
        int nid = pageNid;
        if (target >= 0 && target != pageNid) {
            int to = allocOn(target, cpu);
            if (to >= 0 && migrator.migrateMapped(pfn, to, cpu, mm, va, ptes, i)) {
                k.lastCpupid[to] = k.lastCpupid[pfn];
                k.lastCpupid[pfn] = -1;
                k.vmstat.count(VmEvent.NUMA_PAGES_MIGRATED);
                flags |= TNF_MIGRATED;
                nid = target;
            } else {
                if (to >= 0) {
                    frames.setRefcount(to, 0);
                    k.allocator.freePages(to, 0, cpu);
                } else {
                    k.vmstat.count(VmEvent.PGMIGRATE_FAIL);
                }
                flags |= TNF_MIGRATE_FAIL;
            }
        }
        taskNumaFault(nt, last, nid, 1, flags);
    }

    /**
     * {@code do_numa_page()} in tiering mode on a page outside the top tier: the policy decides
     * whether it is hot ({@link io.vmsim.core.memtier.Tiering#promotionTarget}); a hot page moves
     * to the faulting CPU's node if it has room ({@code migrate_misplaced_folio_prepare()}: else
     * that node's kswapd is woken), counting {@code pgpromote_success}. {@code task_numa_fault()}
     * keeps no statistics of memory outside the top tier, so only a promoted page is recorded.
     */
    private void promotionFault(Task task, NumaTask nt, long va, long[] ptes, int i, int pfn, int pageNid, int thisNid, int flags) {
        int cpu = task.cpu();
        int target = tiering.promotionTarget(task, pfn, pageNid, cpu, thisNid);
        int nid = pageNid;
        if (target >= 0) {
            int to = -1;
            boolean room = tiering.migrateBalanced(target, 1);
            if (room) {
                to = allocOn(target, cpu);
            } else {
                tiering.wakeKswapdForPromotion(target);
            }
            if (to >= 0 && migrator.migrateMapped(pfn, to, cpu, task.mm(), va, ptes, i)) {
                // folio_migrate_flags(): between tiers the cpupid (the access time) is reset
                k.lastCpupid[to] = -1;
                k.lastCpupid[pfn] = -1;
                k.vmstat.count(VmEvent.NUMA_PAGES_MIGRATED);
                tiering.promoted();
                flags |= TNF_MIGRATED;
                nid = target;
            } else {
                if (to >= 0) {
                    frames.setRefcount(to, 0);
                    k.allocator.freePages(to, 0, cpu);
                } else if (room) {
                    k.vmstat.count(VmEvent.PGMIGRATE_FAIL);
                }
                flags |= TNF_MIGRATE_FAIL;
            }
        }
        if (tiering.tiers().isToptier(nid)) {
            taskNumaFault(nt, -1, nid, 1, flags);
        }
    }

    /**
     * {@code do_huge_pmd_numa_page()}: as {@link #pteFault} for a huge PMD. The huge page is not
     * migrated (see the class comment): a migration the policy asks for counts as failed.
     */
    public void pmdFault(Task task, Vma vma, long va, long[] pmdT, int pi) {
        long pmd = pmdT[pi];
        int head = Pte.pfn(pmd);
        int cpu = task.cpu();
        int thisNid = k.nodeOfCpu(cpu);
        int pageNid = frames.nodeOf(head);
        k.vmstat.count(VmEvent.NUMA_HINT_FAULTS);
        long bits = Pte.clearProtnone(pmd);
        if (vma.has(VmaFlags.VM_WRITE) && frames.refcount(head) == 1 && k.entireMapcount(head) == 1) {
            bits |= Pte.RW;
        }
        pmdT[pi] = bits;
        if (!active || task.numaIndex < 0) {
            return;
        }
        int flags = 0;
        if (pageNid == thisNid) {
            k.vmstat.count(VmEvent.NUMA_HINT_FAULTS_LOCAL);
            flags |= TNF_FAULT_LOCAL;
        }
        NumaTask nt = tasks.get(task.numaIndex);
        if (tiering != null && tiering.usesAccessTime(pageNid)) {
            hugeLeftInPlace++;
            return; // a huge page is not promoted (the migrator moves order-0 pages)
        }
        int last = exchangeCpupid(head, cpu, task);
        int target = ask(nt, head, pageNid, cpu, thisNid, last, false);
        if (target >= 0 && target != pageNid) {
            hugeLeftInPlace++;
            k.vmstat.add(VmEvent.PGMIGRATE_FAIL, Kernel.HPAGE_PMD_NR);
            flags |= TNF_MIGRATE_FAIL;
        }
        taskNumaFault(nt, last, pageNid, Kernel.HPAGE_PMD_NR, flags);
    }

    /** The hinting entry made accessible: writable if the area is and the page needs no write fault. */
    private long restored(long pte, Vma vma, int pfn) {
        long e = Pte.clearProtnone(pte);
        if (vma.has(VmaFlags.VM_WRITE)) {
            boolean writable = vma.has(VmaFlags.VM_SHARED) ? (e & Pte.DIRTY) != 0
                    : k.totalMapcount(pfn) == 1 && !frames.test(pfn, PageFrames.PG_SWAPCACHE);
            if (writable) {
                e |= Pte.RW;
            }
        }
        return e;
    }

    /** {@code folio_xchg_last_cpupid()}: stores this fault's cpupid, returns the previous one. */
    private int exchangeCpupid(int pfn, int cpu, Task task) {
        int last = k.lastCpupid[pfn];
        k.lastCpupid[pfn] = cpupid(cpu, task.tid());
        return last;
    }

    /** {@code cpu_pid_to_cpupid()}. */
    static int cpupid(int cpu, int pid) {
        return (cpu << PID_BITS) | (pid & PID_MASK);
    }

    /** {@code cpupid_match_pid()}. */
    static boolean pidMatches(Task t, int cpupid) {
        return (t.tid() & PID_MASK) == (cpupid & PID_MASK);
    }

    private int ask(NumaTask nt, int pfn, int pageNid, int cpu, int thisNid, int last, boolean shared) {
        fault.set(nt, pfn, pageNid, cpu, thisNid, last, shared);
        return policy.hintingFault(nt.task, fault);
    }

    /** {@code alloc_misplaced_dst_folio()}: a page on {@code nid} only, without reclaim. */
    private int allocOn(int nid, int cpu) {
        int gfp = (Gfp.GFP_HIGHUSER_MOVABLE & ~Gfp.__GFP_RECLAIM) | Gfp.__GFP_THISNODE | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY;
        return k.allocator.allocPages(gfp, 0, cpu, nid);
    }

    /** {@code task_numa_fault()}: records a hinting fault of {@code pages} pages now on {@code memNode}. */
    void taskNumaFault(NumaTask nt, int lastCpupid, int memNode, int pages, int flags) {
        int cpuNode = k.nodeOfCpu(nt.task.cpu());
        boolean priv;
        if (lastCpupid == -1) {
            priv = true; // first accesses are treated as private
        } else {
            priv = pidMatches(nt.task, lastCpupid);
            if (!priv && (flags & TNF_NO_GROUP) == 0) {
                priv = taskNumaGroup(nt, lastCpupid, flags);
            }
        }
        boolean local = (flags & TNF_FAULT_LOCAL) != 0;
        NumaGroup ng = nt.group;
        // a shared fault wholly within the group's active nodes counts as local
        if (!priv && !local && ng != null && ng.activeNodes > 1 && ng.isActiveNode(cpuNode) && ng.isActiveNode(memNode)) {
            local = true;
        }
        long now = k.clock.nanoTime();
        if (now > nt.migrateRetryNs) {
            taskNumaPlacement(nt, now);
            numaMigratePreferred(nt, now);
        }
        if ((flags & TNF_MIGRATED) != 0) {
            nt.pagesMigrated += pages;
        }
        if ((flags & TNF_MIGRATE_FAIL) != 0) {
            nt.locality[2] += pages;
        }
        int p = priv ? 1 : 0;
        nt.faults[nt.idx(NumaTask.NUMA_MEMBUF, memNode, p)] += pages;
        nt.faults[nt.idx(NumaTask.NUMA_CPUBUF, cpuNode, p)] += pages;
        nt.locality[local ? 1 : 0] += pages;
    }

    /**
     * {@code task_numa_group()}: the task faulted on a page another task faulted on last; if that
     * task runs in a bigger group (or an equal one that sorts first) and shares the address space
     * or the page is shared, join its group. Returns whether the fault counts as private.
     */
    boolean taskNumaGroup(NumaTask nt, int cpupid, int flags) {
        if (nt.group == null) {
            NumaGroup g = nt.ownGroup;
            g.nrTasks = 1;
            System.arraycopy(nt.faults, 0, g.faults, 0, g.faults.length);
            g.totalFaults = nt.totalNumaFaults;
            g.activeNodes = 1;
            nt.group = g;
        }
        int cpu = cpupid >>> PID_BITS;
        NumaTask tsk = cpu < nrCpus ? curr[cpu] : null;
        if (tsk == null || !pidMatches(tsk.task, cpupid)) {
            return false;
        }
        NumaGroup grp = tsk.group;
        NumaGroup my = nt.group;
        if (grp == null || grp == my) {
            return false;
        }
        if (my.nrTasks > grp.nrTasks || (my.nrTasks == grp.nrTasks && my.id > grp.id)) {
            return false; // the other task will join this group
        }
        boolean join = tsk.task.mm() == nt.task.mm() || (flags & TNF_SHARED) != 0;
        if (!join) {
            return true; // false sharing: count it private
        }
        for (int i = 0; i < my.faults.length; i++) {
            my.faults[i] -= nt.faults[i];
            grp.faults[i] += nt.faults[i];
        }
        my.totalFaults -= nt.totalNumaFaults;
        grp.totalFaults += nt.totalNumaFaults;
        my.nrTasks--;
        grp.nrTasks++;
        nt.group = grp;
        return false;
    }

    /**
     * {@code task_numa_placement()}, once per scan pass of the address space: decays the fault
     * statistics, moves the buffered faults in, asks the policy for the preferred node and
     * adapts the scan period.
     */
    void taskNumaPlacement(NumaTask nt, long now) {
        int seq = nt.mm.scanSeq;
        if (nt.scanSeq == seq) {
            return;
        }
        nt.scanSeq = seq;
        nt.scanPeriodMaxMs = taskScanMax(nt);
        long totalFaults = nt.locality[0] + nt.locality[1];
        // numa_get_avg_runtime(): the task ran the whole time since the last placement
        long period = Math.max(1, now - nt.lastPlacementNs);
        long runtime = period;
        nt.lastPlacementNs = now;
        long[] f = nt.faults;
        NumaGroup ng = nt.group;
        long sharedTypes = 0;
        long privTypes = 0;
        for (int nid = 0; nid < nrNodes; nid++) {
            for (int priv = 0; priv < 2; priv++) {
                int mem = nt.idx(NumaTask.NUMA_MEM, nid, priv);
                int membuf = nt.idx(NumaTask.NUMA_MEMBUF, nid, priv);
                int cpuI = nt.idx(NumaTask.NUMA_CPU, nid, priv);
                int cpubuf = nt.idx(NumaTask.NUMA_CPUBUF, nid, priv);
                long diff = f[membuf] - f[mem] / 2;
                if (priv == 0) {
                    sharedTypes += f[membuf];
                } else {
                    privTypes += f[membuf];
                }
                f[membuf] = 0;
                long fWeight = (runtime << 16) / (period + 1);
                fWeight = fWeight * f[cpubuf] / (totalFaults + 1);
                long fDiff = fWeight - f[cpuI] / 2;
                f[cpubuf] = 0;
                f[mem] += diff;
                f[cpuI] += fDiff;
                nt.totalNumaFaults += diff;
                if (ng != null) {
                    ng.faults[mem] += diff;
                    ng.faults[cpuI] += fDiff;
                    ng.totalFaults += diff;
                }
            }
        }
        if (ng != null) {
            ng.countActiveNodes();
        }
        stats.of(nt);
        int nid = policy.preferredNode(nt.task, stats);
        if (nid >= 0 && nid != nt.preferredNid) {
            nt.preferredNid = nid; // sched_setnuma()
        }
        updateTaskScanPeriod(nt, sharedTypes, privTypes, now);
    }

    /** {@code numa_migrate_preferred()}: retry moving the task to its preferred node now and then. */
    void numaMigratePreferred(NumaTask nt, long now) {
        if (nt.preferredNid == -1) {
            return;
        }
        long interval = Math.min(1000 * NS_PER_MS, nt.scanPeriodMs * NS_PER_MS / 16);
        nt.migrateRetryNs = now + interval;
        if (k.nodeOfCpu(nt.task.cpu()) == nt.preferredNid) {
            return;
        }
        taskNumaMigrate(nt);
    }

    /**
     * {@code task_numa_migrate()} on the preferred node: an idle CPU the task may use takes it
     * ({@code migrate_task_to()}); otherwise the task there whose swap improves the two tasks'
     * fault weights most, by at least {@code SMALLIMP}, is swapped with it ({@code migrate_swap()}).
     */
    void taskNumaMigrate(NumaTask nt) {
        int src = nt.task.cpu();
        int srcNid = k.nodeOfCpu(src);
        int dstNid = nt.preferredNid;
        NumaGroup pg = nt.group;
        long taskImp = taskWeight(nt, dstNid) - taskWeight(nt, srcNid);
        long groupImp = groupWeight(nt, dstNid) - groupWeight(nt, srcNid);
        int bestCpu = -1;
        long bestImp = 0;
        for (int cpu = 0; cpu < nrCpus; cpu++) {
            if (k.nodeOfCpu(cpu) != dstNid || !nt.task.cpuAllowed(cpu)) {
                continue;
            }
            NumaTask cur = curr[cpu];
            if (cur == null || cur.task.mm().exited) {
                moveTask(nt, cpu);
                k.vmstat.count(VmEvent.NUMA_TASK_MIGRATED);
                return;
            }
            if (!cur.task.cpuAllowed(src)) {
                continue;
            }
            long imp = pg != null ? groupImp : taskImp;
            NumaGroup cg = cur.group;
            if (cg == pg) {
                imp = taskImp + taskWeight(cur, srcNid) - taskWeight(cur, dstNid);
                if (cg != null) {
                    imp -= imp / 16;
                }
            } else if (cg != null && pg != null) {
                imp += groupWeight(cur, srcNid) - groupWeight(cur, dstNid);
            } else {
                imp += taskWeight(cur, srcNid) - taskWeight(cur, dstNid);
            }
            if (cur.preferredNid == dstNid) {
                imp -= imp / 16;
            }
            if (cur.preferredNid == srcNid) {
                imp += imp / 8;
            }
            if (imp < SMALLIMP || imp <= bestImp + SMALLIMP / 2) {
                continue;
            }
            bestImp = imp;
            bestCpu = cpu;
        }
        if (bestCpu >= 0) {
            NumaTask other = curr[bestCpu];
            moveTask(other, src);
            moveTask(nt, bestCpu);
            curr[src] = other;
            // __migrate_swap_task() counts each of the two tasks
            k.vmstat.add(VmEvent.NUMA_TASK_SWAPPED, 2);
        }
    }

    private void moveTask(NumaTask nt, int cpu) {
        int from = nt.task.cpu();
        if (curr[from] == nt) {
            curr[from] = null;
        }
        nt.task.setCpu(cpu);
        curr[cpu] = nt;
    }

    /** {@code task_weight()}: the task's share of its faults on {@code nid}, in thousandths. */
    static long taskWeight(NumaTask nt, int nid) {
        if (nt.totalNumaFaults <= 0) {
            return 0;
        }
        return 1000 * nt.taskFaults(nid) / nt.totalNumaFaults;
    }

    /** {@code group_weight()}: the group's share, in thousandths (the task's own without a group). */
    static long groupWeight(NumaTask nt, int nid) {
        NumaGroup g = nt.group;
        if (g == null) {
            return taskWeight(nt, nid);
        }
        if (g.totalFaults <= 0) {
            return 0;
        }
        return 1000 * g.faultsMem(nid) / g.totalFaults;
    }

    // ---------------------------------------------------------------- views for the policy

    /** The task statistics view handed to the policy; one instance, reused. */
    private final class Stats implements NumaTaskStats {
        private NumaTask nt;

        Stats of(NumaTask t) {
            this.nt = t;
            return this;
        }

        @Override
        public int preferredNode() {
            return nt.preferredNid;
        }

        @Override
        public int scanSeq() {
            return nt.scanSeq;
        }

        @Override
        public int groupTasks() {
            return nt.group == null ? 0 : nt.group.nrTasks;
        }

        @Override
        public long faults(int node) {
            return nt.taskFaults(node);
        }

        @Override
        public long groupFaults(int node) {
            return nt.group == null ? nt.taskFaults(node) : nt.group.faultsMem(node);
        }

        @Override
        public long groupFaultsCpu(int node) {
            return nt.group == null ? nt.taskFaultsCpu(node) : nt.group.faultsCpu(node);
        }
    }

    /** The hinting-fault view handed to the policy; one instance, reused. */
    private final class Fault implements NumaHintFault {
        private NumaTask nt;
        private int pfn;
        private int pageNid;
        private int cpu;
        private int localNid;
        private int last;
        private boolean shared;

        void set(NumaTask t, int pfn, int pageNid, int cpu, int localNid, int last, boolean shared) {
            this.nt = t;
            this.pfn = pfn;
            this.pageNid = pageNid;
            this.cpu = cpu;
            this.localNid = localNid;
            this.last = last;
            this.shared = shared;
        }

        @Override
        public int pfn() {
            return pfn;
        }

        @Override
        public int pageNode() {
            return pageNid;
        }

        @Override
        public int cpu() {
            return cpu;
        }

        @Override
        public int localNode() {
            return localNid;
        }

        @Override
        public boolean lastCpupidUnset() {
            return last == -1;
        }

        @Override
        public boolean lastPidMatches() {
            return last != -1 && pidMatches(nt.task, last);
        }

        @Override
        public int lastNode() {
            return last == -1 ? -1 : k.nodeOfCpu(last >>> PID_BITS);
        }

        @Override
        public boolean shared() {
            return shared;
        }

        @Override
        public NumaTaskStats task() {
            return stats.of(nt);
        }
    }

    /** Huge pages balancing or tiering would have moved and left in place (vmsim moves order-0 pages only). */
    public long hugeLeftInPlace() {
        return hugeLeftInPlace;
    }
}
