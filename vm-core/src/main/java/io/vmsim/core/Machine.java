package io.vmsim.core;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.ConfigException;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.error.UserError;
import io.vmsim.core.fault.FaultHandler;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mmu.Mmu;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.time.Daemons;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One simulated machine: memory, MMUs, the kernel and the selected policies, assembled by
 * Guice from a validated configuration. {@link #access} is the reference path every workload
 * drives.
 */
public final class Machine {
    private final CoreConfig config;
    private final Kernel kernel;
    private final FaultHandler faults;
    private final MmSyscalls syscalls;
    private final Policies policies;
    private final Mmu[] mmus;
    private final PageFrames frames;
    private final boolean observe;
    private long refs;
    private int nextPid = 1;

    private final Daemons daemons;
    private final io.vmsim.core.ksm.Ksm ksm;
    /** Automatic NUMA balancing (issue 10); told of each reference while it runs (locality is counted by nodeAccesses). */
    private final io.vmsim.core.numa.NumaBalancing numa;
    private final boolean countLocality;

    @Inject
    Machine(CoreConfig config, Kernel kernel, FaultHandler faults, MmSyscalls syscalls, Policies policies, Daemons daemons,
            io.vmsim.core.ksm.Ksm ksm) {
        this.daemons = daemons;
        this.ksm = ksm;
        this.config = config;
        this.kernel = kernel;
        this.faults = faults;
        this.syscalls = syscalls;
        this.policies = policies;
        this.mmus = kernel.mmus;
        this.frames = kernel.frames;
        this.observe = kernel.reclaimObservesAccesses;
        this.nodeAccesses = new io.vmsim.core.topology.NodeAccesses(kernel.topology, kernel.cost.cacheMissPs);
        this.numa = faults.numa();
        this.countLocality = numa != null && numa.active() && kernel.frames.nrNodes() > 1; // task_tick_numa() needs the refs
    }

    /** Local and remote references per node (issue 10), counted on every reference. */
    private final io.vmsim.core.topology.NodeAccesses nodeAccesses;

    /** Local and remote references per node, and the remote cost of the last reference. */
    public io.vmsim.core.topology.NodeAccesses nodeAccesses() {
        return nodeAccesses;
    }

    /**
     * Builds a machine from a validated configuration; the one place the injector is created.
     *
     * @throws PolicyException if a selected policy cannot be created (its provider threw or
     *         returned something unusable), unwrapped from Guice's errors so that it names the policy
     * @throws ConfigException if the keys together, or the Java heap, cannot hold the machine
     *                         ({@link MachineLimits}), checked before anything is built
     */
    public static Machine create(CoreConfig config, PolicyCatalog catalog) {
        MachineLimits.check(config, Runtime.getRuntime().maxMemory());
        try {
            Injector injector = Guice.createInjector(new MemoryModule(config), new PolicyModule(config, catalog),
                    new KernelModule(config), new ThpModule());
            return injector.getInstance(Machine.class);
        } catch (CreationException e) {
            throw unwrap(config, e, e.getErrorMessages());
        } catch (ProvisionException e) {
            throw unwrap(config, e, e.getErrorMessages());
        }
    }

    /**
     * What went wrong inside Guice, as the component threw it: a user error or a policy's
     * failure wherever it is in the chain of causes, else the first root cause, so that the
     * command line reports it as its kind deserves rather than as "Unable to create injector".
     */
    private static RuntimeException unwrap(CoreConfig config, RuntimeException guice, Collection<Message> messages) {
        Throwable root = null;
        for (Message m : messages) {
            for (Throwable t = m.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof UserError && t instanceof RuntimeException r) {
                    return r;
                }
                if (t instanceof PolicyException p) {
                    return p;
                }
                if (t.getCause() == null && root == null) {
                    root = t;
                }
            }
        }
        if (root instanceof OutOfMemoryError) {
            return new ConfigException(List.of("'" + CoreKeys.MEMORY + "' = '" + config.asMap().getOrDefault(CoreKeys.MEMORY,
                    Long.toString(config.getLong(CoreKeys.MEMORY))) + "': the Java heap ran out while building the machine"
                    + " (with every frame touched it needs about " + (MachineLimits.fullHeapEstimate(config) >> 20)
                    + " MiB); give it more, e.g. VMSIM_JAVA_OPTS=-Xmx"
                    + MachineLimits.xmx(MachineLimits.fullHeapEstimate(config)) + ", or simulate less memory"));
        }
        if (root instanceof RuntimeException r) {
            return r;
        }
        if (root instanceof Error e) {
            throw e;
        }
        return guice;
    }

    /**
     * One memory reference by {@code task}: translate through the CPU's TLBs and tables, handle
     * any fault and retry, as a CPU re-executes a faulting instruction. Allocates nothing, and
     * calls the reclaim policy only if it opted in to seeing every access.
     */
    public void access(Task task, long va, boolean write) {
        refs++;
        Mm mm = task.mm();
        Mmu mmu = mmus[task.cpu()];
        long adds = -1;
        for (int attempt = 0; ; attempt++) {
            int pfn = attempt == 0 ? mmu.translate(mm.pcid(), mm.pgd(), va, write) : mmu.retry(mm.pcid(), mm.pgd(), va, write);
            if (pfn >= 0) {
                nodeAccesses.count(task.cpu(), frames.nodeOf(pfn));
                if (countLocality) {
                    numa.account(task);
                }
                // One reference, one report (the ReclaimPolicy contract): a reference whose fault
                // brought a page in was reported by pageAdded and is not a hit as well.
                if (observe && (adds < 0 || kernel.reclaim.referencedAdds() == adds)) {
                    observed(pfn, write);
                }
                return;
            }
            if (attempt == 3) {
                throw new IllegalStateException(String.format("fault at 0x%x not resolved after %d attempts", va, attempt));
            }
            if (adds < 0) {
                adds = kernel.reclaim.referencedAdds();
            }
            faults.handle(task, va, write);
        }
    }

    /**
     * A write of contents {@code tag} to the page at {@code va} (KSM, issue 11): a write reference,
     * then the page's content tag ({@link io.vmsim.core.mm.PageContents}). Not for the hot path.
     */
    public void store(Task task, long va, long tag) {
        access(task, va, true);
        kernel.contents.set(residentPfn(task, va), tag);
    }

    /** A read of the page at {@code va}: its content tag ({@link io.vmsim.core.mm.PageContents#UNKNOWN} if never modelled). */
    public long load(Task task, long va) {
        access(task, va, false);
        int pfn = residentPfn(task, va);
        boolean zero = pfn == kernel.zeroPfn || (kernel.hugeZeroPfn >= 0 && pfn >= kernel.hugeZeroPfn
                && pfn < kernel.hugeZeroPfn + Kernel.HPAGE_PMD_NR);
        return zero ? io.vmsim.core.mm.PageContents.ZERO : kernel.contents.get(pfn);
    }

    private int residentPfn(Task task, long va) {
        long e = kernel.lookupLeaf(task.mm(), va);
        int pfn = io.vmsim.core.pgtable.Pte.pfn(e);
        return io.vmsim.core.pgtable.Pte.huge(e) ? pfn + (int) ((va & (Kernel.HPAGE_PMD_SIZE - 1)) >>> 12) : pfn;
    }

    private void observed(int pfn, boolean write) {
        int head = (frames.flags(pfn) & PageFrames.PG_TAIL) != 0 ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
        if ((frames.flags(head) & PageFrames.PG_LRU) != 0) {
            kernel.reclaim.pageAccessed(head, write);
        }
    }

    /**
     * Lets kernel daemons whose time has come run. Workloads call it between batches of
     * references and after system calls, not per reference, so the TLB-hit path stays free.
     */
    public void tick() {
        kernel.hooks.rcuCallbacks();
        daemons.poll();
        if (sampler != null) {
            sampler.maybeSample(); // run --report's time series (issue 14)
        }
    }

    /** The time series sampler of run --report, or null (no sampling, no cost). */
    private Sampler sampler;

    /**
     * Records samples into {@code series} from now on, every {@link io.vmsim.core.report.TimeSeries#intervalNs()}
     * of simulated time at the next {@link #tick}; the first sample is taken at once.
     */
    public void sampleInto(io.vmsim.core.report.TimeSeries series) {
        sampler = new Sampler(this, series);
    }

    /** Takes the end-of-run sample, if sampling. */
    void finishSamples() {
        if (sampler != null) {
            sampler.finish();
        }
    }

    public Daemons daemons() {
        return daemons;
    }

    /** KSM: ksmd, its trees and counters (issue 11). */
    public io.vmsim.core.ksm.Ksm ksm() {
        return ksm;
    }

    /** Automatic NUMA balancing: its state, and each reference's locality counted (issue 10). */
    public io.vmsim.core.numa.NumaBalancing numaBalancing() {
        return numa;
    }

    /** Creates a process with one thread per CPU given, and an empty address space. */
    public SimProcess spawn(String name, List<Integer> cpus) {
        int pid = nextPid++;
        int cpu0 = cpus.isEmpty() ? 0 : cpus.get(0);
        Mm mm = kernel.newMm(checkCpu(cpu0));
        mm.comm = name;
        mm.pid = pid;
        return new SimProcess(pid, name, mm, tasks(pid, name, cpus, mm));
    }

    /** fork(): the child gets one thread on the CPU of the parent's thread {@code thread}. */
    public SimProcess fork(SimProcess parent, int thread) {
        Task t = parent.threads().get(thread);
        Mm child = syscalls.fork(parent.mm(), t.cpu());
        int pid = nextPid++;
        String name = parent.name() + "-child";
        child.comm = name;
        child.pid = pid;
        child.oomScoreAdj = parent.mm().oomScoreAdj;
        child.memcg = parent.mm().memcg;
        SimProcess c = new SimProcess(pid, name, child, tasks(pid, name, List.of(t.cpu()), child));
        c.threads().get(0).mempolicy.copyFrom(t.mempolicy); // copy_process(): mpol_dup() (mempolicy, issue 10)
        return c;
    }

    private List<Task> tasks(int pid, String name, List<Integer> cpus, Mm mm) {
        List<Task> ts = new ArrayList<>();
        List<Integer> cs = cpus.isEmpty() ? List.of(0) : cpus;
        for (int i = 0; i < cs.size(); i++) {
            ts.add(new Task(pid, i == 0 ? pid : pid * 1000 + i, name, checkCpu(cs.get(i)), mm));
        }
        if (numa != null) {
            for (Task t : ts) {
                numa.taskCreated(t);
            }
        }
        return ts;
    }

    private int checkCpu(int cpu) {
        if (cpu < 0 || cpu >= mmus.length) {
            throw new IllegalArgumentException("CPU " + cpu + " does not exist: machine.cpus is " + mmus.length);
        }
        return cpu;
    }

    public Kernel kernel() {
        return kernel;
    }

    public MmSyscalls syscalls() {
        return syscalls;
    }

    public Policies policies() {
        return policies;
    }

    private io.vmsim.core.debug.InvariantChecker debugChecks;

    /** The invariant checker of {@code vmsim.debug_checks}, or null when the checks are off. */
    public io.vmsim.core.debug.InvariantChecker debugChecks() {
        if (debugChecks == null && config.getBoolean(io.vmsim.core.config.CoreKeys.DEBUG_CHECKS)) {
            debugChecks = new io.vmsim.core.debug.InvariantChecker(kernel, policies.all(),
                    config.getLong(io.vmsim.core.config.CoreKeys.DEBUG_CHECKS_INTERVAL));
        }
        return debugChecks;
    }

    public CoreConfig config() {
        return config;
    }

    /** References made so far. */
    public long refs() {
        return refs;
    }

    /** Simulated nanoseconds so far. */
    public long nanoTime() {
        return kernel.clock.nanoTime();
    }

    public Map<String, Long> vmstat() {
        return Reports.vmstat(kernel);
    }

    public Map<String, Long> meminfo() {
        return Reports.meminfo(kernel);
    }

    public Map<String, Long> tlb() {
        return Reports.tlb(mmus);
    }

    public String buddyinfo() {
        return kernel.allocator.buddyinfo();
    }

    /** The huge-page subsystems: compaction, khugepaged, splitting, hugetlbfs (THP, issue 5). */
    public ThpSubsystem thp() {
        return (ThpSubsystem) kernel.huge;
    }
}
