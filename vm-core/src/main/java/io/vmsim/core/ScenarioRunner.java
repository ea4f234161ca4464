package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.oom.OomKilledException;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.report.Progress;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.scenario.PhaseOp;
import io.vmsim.core.scenario.PhaseSpec;
import io.vmsim.core.scenario.ProcessSpec;
import io.vmsim.core.scenario.Scenario;
import io.vmsim.core.scenario.VmaSpec;
import io.vmsim.core.workload.ZipfSampler;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a declarative scenario on a machine: creates its processes and areas, then runs each
 * phase in order and times it on the simulated clock.
 *
 * <p>A {@code fork} phase appends the child to the process list, so later phases can name it
 * by its index (the parent's name with {@code -child}). A fork that does not happen (its parent
 * was killed by the OOM killer before or during it) still takes the child's place in the list,
 * so the child's phases are skipped and reported like those of a killed process.
 */
final class ScenarioRunner {
    /** References between progress reports. */
    private static final long PROGRESS_EVERY = 1 << 20;

    private final Machine m;
    private final MmSyscalls sys;
    private final Progress progress;
    private final SplittableRandom rng;
    /** Every process by index; null for the child of a fork that did not happen. */
    private final List<SimProcess> procs = new ArrayList<>();
    /** Names of the children whose fork did not happen, by index in {@link #procs}. */
    private final java.util.Map<Integer, String> unborn = new java.util.HashMap<>();
    private final List<long[]> vmaStart = new ArrayList<>();
    private final List<long[]> vmaSize = new ArrayList<>();
    private final List<RunResult.NestedWalkRow> nested = new ArrayList<>();
    private long totalRefs;
    // reclaim (issue 3): page-cache ids of the scenario's files, by index and by name
    private int[] fileIds = new int[0];
    private final java.util.Map<String, Integer> fileIdByName = new java.util.HashMap<>();
    private long fileOps;
    private long nextProgress = PROGRESS_EVERY;
    private String phaseName = "";
    private io.vmsim.core.mempolicy.syscall.MempolicySyscalls mempolicySyscalls;
    private boolean interrupted;
    /** Told the name of each phase as it starts (tests take counters there). */
    java.util.function.Consumer<String> phaseStarted = name -> { };

    /** Thrown at a safe point when the user asked to stop; caught in {@link #run}. */
    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }

    ScenarioRunner(Machine machine, Progress progress, long seed) {
        this.m = machine;
        this.sys = machine.syscalls();
        this.progress = progress;
        this.rng = new SplittableRandom(seed);
        this.migrationSeed = seed ^ 0x6d6967726174696fL; // the guest's writes: a stream of their own ("migratio")
    }

    /** Runs every phase and returns the per-phase figures, in order. */
    List<RunResult.PhaseResult> run(Scenario s) {
        for (PhaseSpec p : s.phases()) {
            totalRefs += expectedRefs(s, p);
        }
        Reclaim reclaim = Reclaim.of(m.kernel());
        fileIds = new int[s.files().size()];
        for (int i = 0; i < fileIds.length; i++) {
            fileIds[i] = reclaim.pageCache().createFile(s.files().get(i).name(), s.files().get(i).size());
            reclaim.pageCache().file(fileIds[i]).random = s.files().get(i).random();
            fileIdByName.put(s.files().get(i).name(), fileIds[i]);
        }
        java.util.Map<String, Integer> cgroupIds = new java.util.HashMap<>();
        for (io.vmsim.core.scenario.CgroupSpec c : s.cgroups()) {
            cgroupIds.put(c.name(), reclaim.createCgroup(c.name(), c.memoryMax(), c.memoryHigh()));
        }
        for (ProcessSpec ps : s.processes()) {
            SimProcess proc = m.spawn(ps.name(), ps.threadCpus());
            proc.mm().oomScoreAdj = ps.oomScoreAdj();
            proc.mm().memcg = ps.cgroup() == null ? 0 : cgroupIds.get(ps.cgroup());
            if (ps.mempolicy() != null) {
                for (Task t : proc.threads()) {
                    mempolicy().setMempolicy(t, ps.mempolicy().mode(), ps.mempolicy().nodes(), ps.mempolicy().weights());
                }
            }
            long[] starts = new long[ps.vmas().size()];
            long[] sizes = new long[ps.vmas().size()];
            for (int i = 0; i < starts.length; i++) {
                VmaSpec v = ps.vmas().get(i);
                starts[i] = v.hugetlb() > 0 // THP (issue 5): MAP_HUGETLB
                        ? sys.mmapHugetlb(proc.mm(), v.size(), v.prot(), v.hugetlb(), ps.name())
                        : v.file() != null
                        ? sys.mmapFile(proc.mm(), 0, v.size(), v.prot(), v.shared(), fileIdByName.get(v.file()), 0)
                        : sys.mmapAnon(proc.mm(), 0, v.size(), v.prot(), v.shared(), v.align());
                sizes[i] = v.size();
                for (String advice : v.advice()) {
                    sys.madvise(proc.mm(), starts[i], v.size(), advice, proc.threads().get(0).cpu());
                }
                if (v.mempolicy() != null) { // mempolicy (issue 10): mbind() right after mmap()
                    mempolicy().mbind(proc.threads().get(0), starts[i], v.size(), v.mempolicy().mode(),
                            v.mempolicy().nodes(), v.mempolicy().weights(), false);
                }
            }
            affinity(proc, ps);
            if (ps.memoryMerge()) {
                m.ksm().prctlMemoryMerge(proc.mm(), true, proc.threads().get(0).cpu()); // KSM (issue 11)
            }
            procs.add(proc);
            vmaStart.add(starts);
            vmaSize.add(sizes);
        }
        List<RunResult.PhaseResult> out = new ArrayList<>();
        for (PhaseSpec p : s.phases()) {
            if (progress.stopRequested()) {
                interrupted = true;
                break;
            }
            phaseName = p.name();
            phaseStarted.accept(p.name());
            long t0 = m.nanoTime();
            long r0 = m.refs();
            String skipped = usesProcess(p) ? whyNotRun(p) : null;
            if (skipped != null) {
                if (p.op() == PhaseOp.FORK) {
                    notForked(p);
                }
                out.add(new RunResult.PhaseResult(p.name() + " [skipped: " + skipped + "]", 0, 0));
                continue;
            }
            int before = procs.size();
            try {
                runPhase(p);
            } catch (Stop e) {
                interrupted = true;
                out.add(new RunResult.PhaseResult(p.name() + " [interrupted]", m.nanoTime() - t0, m.refs() - r0));
                break;
            } catch (OomKilledException e) {
                // the phase's own process was chosen; the rest of the phase is abandoned
                if (p.op() == PhaseOp.FORK && procs.size() == before) {
                    notForked(p);
                }
                m.tick();
                checkInvariants("end of phase '" + p.name() + "' (killed by the OOM killer)");
                out.add(new RunResult.PhaseResult(p.name() + " [killed by the OOM killer]", m.nanoTime() - t0, m.refs() - r0));
                continue;
            } catch (WorkloadException e) {
                throw new WorkloadException("phase '" + p.name() + "'" + (p.line() > 0 ? " (line " + p.line() + ")" : "")
                        + ": " + e.getMessage());
            }
            m.tick();
            checkInvariants("end of phase '" + p.name() + "'");
            out.add(new RunResult.PhaseResult(p.name(), m.nanoTime() - t0, m.refs() - r0));
        }
        return out;
    }

    /** Why a phase of a process cannot run (the process was killed or never forked), or null. */
    private String whyNotRun(PhaseSpec p) {
        if (p.process() < 0 || p.process() >= procs.size()) {
            return null; // process(p) reports it
        }
        SimProcess proc = procs.get(p.process());
        if (proc == null) {
            return unborn.get(p.process()) + " was never forked: its parent was killed by the OOM killer";
        }
        return proc.mm().oomKilled ? proc.name() + " was killed by the OOM killer" : null;
    }

    /** Holds the place of the child of a fork that did not happen, so later indices stay right. */
    private void notForked(PhaseSpec p) {
        SimProcess parent = procs.get(p.process());
        String parentName = parent != null ? parent.name() : unborn.get(p.process());
        unborn.put(procs.size(), parentName + "-child");
        procs.add(null);
        vmaStart.add(vmaStart.get(p.process()).clone());
        vmaSize.add(vmaSize.get(p.process()).clone());
    }

    /** Whether the user stopped the run before its last phase ended. */
    boolean interrupted() {
        return interrupted;
    }

    /** Rows of a {@code nested_walk} phase, if one ran. */
    List<RunResult.NestedWalkRow> nestedWalkRows() {
        return nested;
    }

    /** What the scenario's last {@code migrate} phase did, or null (live migration, issue 12). */
    private RunResult.MigrationResult migration;
    private final long migrationSeed;

    RunResult.MigrationResult migration() {
        return migration;
    }

    /**
     * A {@code migrate} phase: the guest of {@code migration.ram} migrates over the configured link
     * with the run's migration policy. The destination is the phase's process: the guest's RAM is
     * an anonymous area of it, registered with a userfaultfd in postcopy, and its thread is the
     * guest's vCPU ({@link io.vmsim.core.migration.UffdDestination}). The machine's clock ends at
     * the migration's end.
     */
    private void migrate(PhaseSpec p) {
        io.vmsim.core.migration.MigrationSettings settings = io.vmsim.core.migration.MigrationSettings.of(m.config());
        long ram = settings.pages() * io.vmsim.core.migration.MigrationSettings.PAGE;
        long memory = m.config().getLong(io.vmsim.core.config.CoreKeys.MEMORY);
        if (ram > memory / 2) {
            throw new io.vmsim.core.mm.WorkloadException("the destination guest's RAM ("
                    + io.vmsim.core.config.CoreKeys.MIGRATION_RAM + "=" + ram + " bytes) must fit in half of "
                    + io.vmsim.core.config.CoreKeys.MEMORY + " (" + memory + " bytes): raise machine.memory");
        }
        SimProcess proc = process(p);
        long base = sys.mmapAnon(proc.mm(), 0, ram, "rw", false, 4096);
        io.vmsim.core.uffd.Userfaultfd uffd = io.vmsim.core.uffd.Userfaultfds.of(m.kernel(), sys).open(proc.mm());
        uffd.api(io.vmsim.core.uffd.Uffd.UFFD_API, 0);
        long start = m.kernel().clock.picoTime();
        io.vmsim.core.migration.UffdDestination dest = new io.vmsim.core.migration.UffdDestination(m.kernel(), uffd,
                task(p), m::access, base, start);
        io.vmsim.core.migration.LiveMigration lm = new io.vmsim.core.migration.LiveMigration(settings,
                m.policies().migration(), m.config().getString(io.vmsim.core.config.CoreKeys.POLICY_MIGRATION),
                migrationSeed, dest);
        migration = lm.run(io.vmsim.core.migration.LiveMigration.Mode.byName(p.advice()));
        if (uffd.faults() != migration.remoteFaults()) {
            throw new IllegalStateException("postcopy: the userfaultfd saw " + uffd.faults() + " faults, the migration "
                    + migration.remoteFaults());
        }
        long end = start + migration.totalTimeNs() * 1000;
        long now = m.kernel().clock.picoTime();
        if (end > now) {
            m.kernel().clock.advance(end - now);
        }
    }

    private void runPhase(PhaseSpec p) {
        switch (p.op()) {
            case SEQUENTIAL, STRIDED -> strided(p, false);
            case MEMSET -> strided(p, true);
            case RANDOM -> random(p, null);
            case ZIPF -> random(p, new ZipfSampler(pages(p), p.zipfS()));
            case FORK -> {
                SimProcess parent = process(p);
                SimProcess child = m.fork(parent, p.thread());
                procs.add(child);
                vmaStart.add(vmaStart.get(p.process()).clone());
                vmaSize.add(vmaSize.get(p.process()).clone());
            }
            case MADVISE -> sys.madvise(process(p).mm(), base(p), length(p), p.advice(), task(p).cpu());
            case MUNMAP -> sys.munmap(process(p).mm(), base(p), length(p), task(p).cpu());
            case MPROTECT -> sys.mprotect(process(p).mm(), base(p), length(p), p.prot());
            case SLEEP -> m.kernel().clock.advance(p.durationNs() * 1000);
            case EXIT -> sys.exit(process(p).mm(), task(p).cpu());
            case NESTED_WALK -> nested.addAll(new NestedWalkLab(m.config(), m.kernel().cost).measure());
            case KERNEL_ALLOC -> kernelAlloc(p);
            case PUNCH_HOLES -> {
                long base = base(p);
                long len = length(p);
                for (long off = 0; off < len; off += p.stride()) {
                    long hole = Math.min(Math.max(4096, (p.stride() / 2) & ~4095L), len - off);
                    sys.madvise(process(p).mm(), base + off, hole, "dontneed", task(p).cpu());
                }
            }
            case READ, WRITE -> fileIo(p);
            case MLOCK -> mlock(p);
            case FADVISE, FTRUNCATE, FSYNC, MSYNC -> fileOp(p);
            case MUNLOCK -> sys.munlock(process(p).mm(), base(p), length(p));
            case SET_MEMPOLICY, MBIND, MIGRATE_PAGES, MOVE_PAGES -> mempolicyOp(p);
            case MIGRATE -> migrate(p); // live migration (issue 12)
            case PRCTL -> m.ksm().prctlMemoryMerge(process(p).mm(), p.advice().endsWith("=1"), task(p).cpu()); // KSM (issue 11)
            case STAT -> {
                Task t = task(p);
                Reclaim r = Reclaim.of(m.kernel());
                for (long i = 0; i < p.count(); i++) {
                    if (!r.lookupNewPath(t.mm(), t.cpu())) {
                        throw new WorkloadException("out of memory growing the dentry and inode caches");
                    }
                    if ((++fileOps & 63) == 0) {
                        m.tick();
                        safePoint();
                    }
                }
            }
            case PARALLEL -> parallel(p);
            case USERFAULTFD, UFFD_REGISTER, UFFD_UNREGISTER, UFFD_WRITEPROTECT -> uffdOp(p); // userfaultfd (issue 12)
            default -> throw new IllegalStateException("unhandled op " + p.op());
        }
    }

    /** userfaultfd (issue 12): each process's userfaultfd, by process index. */
    private final java.util.Map<Integer, io.vmsim.core.uffd.Userfaultfd> uffds = new java.util.HashMap<>();

    /** The userfaultfds the scenario opened, by process name (tests read their figures). */
    java.util.Map<String, io.vmsim.core.uffd.Userfaultfd> userfaultfds() {
        java.util.Map<String, io.vmsim.core.uffd.Userfaultfd> out = new java.util.LinkedHashMap<>();
        uffds.forEach((i, u) -> out.put(procs.get(i).name(), u));
        return out;
    }

    /**
     * userfaultfd (issue 12): {@code userfaultfd} opens the process's userfaultfd with a
     * {@link io.vmsim.core.uffd.DelayMonitor}; the other ops are its ioctls on a range. A failed
     * ioctl stops the run naming its errno.
     */
    private void uffdOp(PhaseSpec p) {
        SimProcess proc = process(p);
        io.vmsim.core.uffd.Userfaultfd u = uffds.get(p.process());
        if (p.op() == PhaseOp.USERFAULTFD) {
            if (u != null) {
                throw new WorkloadException("process " + proc.name() + " already has a userfaultfd");
            }
            long features = 0;
            long latency = 0;
            long bandwidth = 0;
            boolean zeropage = false;
            for (String kv : p.advice().split(";")) {
                String[] e = kv.split("=", 2);
                switch (e[0]) {
                    case "features" -> {
                        for (String f : e[1].isEmpty() ? new String[0] : e[1].split("\\|")) {
                            features |= 1L << io.vmsim.core.scenario.ScenarioParser.UFFD_FEATURES.indexOf(f);
                        }
                    }
                    case "latency_ns" -> latency = Long.parseLong(e[1]);
                    case "bandwidth_mbps" -> bandwidth = Long.parseLong(e[1]);
                    default -> zeropage = e[1].equals("zeropage");
                }
            }
            u = io.vmsim.core.uffd.Userfaultfds.of(m.kernel(), sys).open(proc.mm());
            uffdCheck(u.api(io.vmsim.core.uffd.Uffd.UFFD_API, features), "UFFDIO_API");
            u.setMonitor(new io.vmsim.core.uffd.DelayMonitor(latency, bandwidth, zeropage));
            uffds.put(p.process(), u);
            return;
        }
        if (u == null) {
            throw new WorkloadException("process " + proc.name() + " has no userfaultfd: an op 'userfaultfd' must come first");
        }
        long start = base(p);
        long len = length(p);
        switch (p.op()) {
            case UFFD_REGISTER -> {
                long mode = 0;
                for (String md : p.advice().split("\\|")) {
                    mode |= switch (md) {
                        case "missing" -> io.vmsim.core.uffd.Uffd.UFFDIO_REGISTER_MODE_MISSING;
                        case "wp" -> io.vmsim.core.uffd.Uffd.UFFDIO_REGISTER_MODE_WP;
                        default -> io.vmsim.core.uffd.Uffd.UFFDIO_REGISTER_MODE_MINOR;
                    };
                }
                uffdCheck(u.register(start, len, mode), "UFFDIO_REGISTER");
            }
            case UFFD_UNREGISTER -> uffdCheck(u.unregister(start, len), "UFFDIO_UNREGISTER");
            default -> uffdCheck(u.writeProtect(start, len, p.advice().equals("protect")
                    ? io.vmsim.core.uffd.Uffd.UFFDIO_WRITEPROTECT_MODE_WP : 0), "UFFDIO_WRITEPROTECT");
        }
    }

    private static void uffdCheck(long r, String ioctl) {
        if (r < 0) {
            throw new WorkloadException(ioctl + " failed: " + io.vmsim.core.uffd.Uffd.errnoName(r));
        }
    }

    /** 4 KiB pages of huge pages and the page cache that mempolicy calls left where Linux would move them. */
    long mempolicyLeftInPlace() {
        return mempolicySyscalls == null ? 0 : mempolicySyscalls.leftInPlace();
    }

    /** mempolicy (issue 10): the memory-policy system calls, made on first use. */
    private io.vmsim.core.mempolicy.syscall.MempolicySyscalls mempolicy() {
        if (mempolicySyscalls == null) {
            mempolicySyscalls = new io.vmsim.core.mempolicy.syscall.MempolicySyscalls(m.kernel(), sys);
        }
        return mempolicySyscalls;
    }

    /** set_mempolicy, mbind, migrate_pages, move_pages (mempolicy, issue 10). */
    private void mempolicyOp(PhaseSpec p) {
        io.vmsim.core.scenario.NumaOpSpec a = p.numa();
        Task t = task(p);
        try {
            switch (p.op()) {
                case SET_MEMPOLICY -> {
                    for (Task each : p.allThreads() ? process(p).threads() : List.of(t)) {
                        mempolicy().setMempolicy(each, a.policy().mode(), a.policy().nodes(), a.policy().weights());
                    }
                }
                case MBIND -> mempolicy().mbind(t, base(p), length(p), a.policy().mode(), a.policy().nodes(),
                        a.policy().weights(), a.move());
                case MIGRATE_PAGES -> mempolicy().migratePages(t.mm(), a.from(), a.to(), t.cpu());
                default -> mempolicy().movePages(t.mm(), base(p), base(p) + length(p), a.node(), t.cpu());
            }
        } catch (io.vmsim.core.mempolicy.MempolicyException e) {
            throw new io.vmsim.core.mempolicy.MempolicyException(e.errno(), "phase '" + p.name() + "'"
                    + (p.line() > 0 ? " (line " + p.line() + ")" : "") + ": " + e.reason());
        }
        m.tick();
    }

    /** NUMA (issue 10): {@code cpus_allowed} of the process's threads, or each bound to its node's CPUs ({@code bind_cpus: node}). */
    private void affinity(SimProcess proc, ProcessSpec ps) {
        int cpus = m.kernel().mmus.length;
        for (Task t : proc.threads()) {
            java.util.BitSet allowed = null;
            if (ps.bindCpusNode()) {
                allowed = new java.util.BitSet();
                int node = m.kernel().nodeOfCpu(t.cpu());
                for (int c = 0; c < cpus; c++) {
                    if (m.kernel().nodeOfCpu(c) == node) {
                        allowed.set(c);
                    }
                }
            }
            if (!ps.cpusAllowed().isEmpty()) {
                java.util.BitSet a = new java.util.BitSet();
                for (int c : ps.cpusAllowed()) {
                    if (c >= cpus) {
                        throw new WorkloadException("process " + ps.name() + ": cpus_allowed names CPU " + c
                                + ", which does not exist: machine.cpus is " + cpus);
                    }
                    a.set(c);
                }
                if (allowed == null) {
                    allowed = a;
                } else {
                    allowed.and(a);
                }
            }
            t.setCpusAllowed(allowed);
        }
    }

    /**
     * A {@code parallel} phase (issue 10): each access phase runs on its own thread at the same
     * time, one reference of each in turn, the first of each round drawn at random. Every reference is charged as usual, then the clock
     * keeps the longest of each round only, as CPUs running side by side would take.
     */
    private void parallel(PhaseSpec p) {
        // The phases run at once and share the last-level cache: a strided pass misses on its
        // repeats when their footprints together exceed cpu.cache_size.
        long shared = 0;
        for (PhaseSpec sp : p.phases()) {
            if (whyNotRun(sp) == null && sp.op() != PhaseOp.RANDOM && sp.op() != PhaseOp.ZIPF) {
                shared += passFootprint(length(sp), sp.stride(), sp.op() == PhaseOp.MEMSET);
            }
        }
        List<Stream> streams = new ArrayList<>();
        for (PhaseSpec sp : p.phases()) {
            String skipped = whyNotRun(sp);
            if (skipped == null) {
                streams.add(new Stream(sp, shared));
            }
        }
        io.vmsim.core.time.SimClock clock = m.kernel().clock;
        boolean any = !streams.isEmpty();
        int n = streams.size();
        while (any) {
            any = false;
            long sum = 0;
            long max = 0;
            // the thread that goes first is drawn each round: no thread of a real machine is always ahead
            int first = n == 1 ? 0 : rng.nextInt(n);
            for (int j = 0; j < n; j++) {
                Stream st = streams.get((first + j) % n);
                if (st.done) {
                    continue;
                }
                any = true;
                long t0 = clock.picoTime();
                m.kernel().threadSkewPs = sum; // this thread started the round when the first did (userfaultfd dates its faults by it)
                st.step();
                long d = clock.picoTime() - t0;
                sum += d;
                max = Math.max(max, d);
                tick();
            }
            m.kernel().threadSkewPs = 0;
            if (sum > max) {
                clock.overlap(sum - max);
            }
        }
    }

    /** One thread's access phase inside a {@code parallel} phase, a reference at a time (the costs of {@link #strided} and {@link #random}). */
    private final class Stream {
        final Task t;
        final long base;
        final long len;
        final long stride;
        final int repeats;
        final double wf;
        final long storePs;
        final boolean firstPassMisses;
        final boolean repeatMisses;
        final boolean random;
        final ZipfSampler zipf;
        final long pages;
        final long n;
        final double missFraction;
        /** What the phase's writes store, or null (KSM, issue 11). */
        final String fill;
        final long vmaOffset;
        long off;
        int r;
        long i;
        boolean done;

        Stream(PhaseSpec p, long sharedFootprint) {
            t = task(p);
            base = base(p);
            len = length(p);
            io.vmsim.core.time.CostModel cost = m.kernel().cost;
            random = p.op() == PhaseOp.RANDOM || p.op() == PhaseOp.ZIPF;
            boolean memset = p.op() == PhaseOp.MEMSET;
            stride = p.stride();
            repeats = Math.max(1, p.repeat());
            wf = memset ? 1.0 : p.writeFraction();
            storePs = memset ? cost.storeBytePs * stride : 0;
            // as strided(): which passes miss; a miss costs cost.cache_miss_ns plus what the
            // serving node adds (NodeAccesses.lastSurplusPs), looked up at each reference
            boolean first = false;
            boolean again = false;
            if (!random && stride >= 4096) {
                first = true;
                again = sharedFootprint > cacheSize();
            }
            firstPassMisses = first;
            repeatMisses = again;
            pages = Math.max(1, len >>> 12);
            zipf = p.op() == PhaseOp.ZIPF ? new ZipfSampler(pages, p.zipfS()) : null;
            n = (p.count() < 0 ? pages : p.count()) * repeats;
            long footprint = pages * 64;
            missFraction = random && (cost.cacheMissPs != 0 || m.nodeAccesses().remoteCosts()) && footprint > cacheSize()
                    ? 1.0 - (double) cacheSize() / footprint : 0;
            fill = p.fill();
            vmaOffset = p.offset();
        }

        /** A reference at {@code at} bytes into the range; a write with {@code fill} stores its contents (KSM, issue 11). */
        private void touch(long at, boolean write) {
            if (write && fill != null) {
                m.store(t, base + at, fillTag(fill, t, base + at, vmaOffset + at));
            } else {
                m.access(t, base + at, write);
            }
        }

        void step() {
            io.vmsim.core.time.CostModel cost = m.kernel().cost;
            io.vmsim.core.mmu.Mmu mmu = m.kernel().mmus[t.cpu()];
            long tlb = mmu.tlbMissPs;
            boolean write = wf >= 1.0 || (wf > 0 && rng.nextDouble() < wf);
            if (random) {
                long page = zipf == null ? rng.nextLong(pages) : zipf.sample(rng) - 1;
                touch(page << 12, write);
                io.vmsim.core.mmu.Mmu now = m.kernel().mmus[t.cpu()];
                long missPs = Math.max(0, cost.cacheMissPs + m.nodeAccesses().lastSurplusPs());
                if (missFraction != 0 && missPs != 0) {
                    m.kernel().clock.advance(Math.round(missFraction * cost.overlappedMissPs(now.tlbMissPs - (now == mmu ? tlb : now.tlbMissPs), missPs)));
                }
                done = ++i >= n;
                return;
            }
            touch(off, write);
            io.vmsim.core.mmu.Mmu now = m.kernel().mmus[t.cpu()];
            boolean misses = r == 0 ? firstPassMisses : repeatMisses;
            long missPs = misses ? Math.max(0, cost.cacheMissPs + m.nodeAccesses().lastSurplusPs()) : 0;
            charge(cost, storePs, missPs, now == mmu ? mmu.tlbMissPs - tlb : 0);
            off += stride;
            if (off >= len) {
                off = 0;
                done = ++r >= repeats;
            }
        }
    }

    /** THP (issue 5): unmovable kernel pages (slab-like), held for the rest of the run. */
    private void kernelAlloc(PhaseSpec p) {
        Task t = task(p);
        m.kernel().currentTask = t;
        for (long n = p.length() >>> 12; n > 0; n--) {
            // alloc_pages(): the task's policy (mempolicy, issue 10)
            int pfn = m.kernel().allocPagesMpol(io.vmsim.core.alloc.Gfp.GFP_KERNEL, 0, t.cpu(),
                    m.kernel().taskPolicyNode(t));
            if (pfn < 0) {
                throw new WorkloadException("kernel_alloc: out of memory with " + n + " pages still to allocate");
            }
            m.kernel().frames.set(pfn, io.vmsim.core.alloc.PageFrames.PG_SLAB);
        }
    }

    private void strided(PhaseSpec p, boolean memset) {
        Task t = task(p);
        long base = base(p);
        long len = length(p);
        long stride = p.stride();
        io.vmsim.core.time.CostModel cost = m.kernel().cost;
        long storePs = memset ? cost.storeBytePs * stride : 0;
        // Memory costs from what the phase touches, not from its op: prefetchers follow a stride
        // below 4 KiB (they stop at page boundaries), so only references a page or more apart
        // miss. A pass whose lines (one 64-byte line a reference; for memset the stride's bytes,
        // which it writes) exceed the last-level cache
        // misses on every one (a cyclic sweep larger than an LRU cache finds none of its lines);
        // one that fits misses on its first pass only (no cache contents carry across phases).
        // A miss to another node's memory costs what that node adds (NodeAccesses.lastSurplusPs,
        // docs/numa.md "Cost model"), on one node nothing.
        boolean firstPassMisses = false;
        boolean repeatMisses = false;
        if (stride >= 4096) {
            firstPassMisses = true;
            repeatMisses = passFootprint(len, stride, memset) > cacheSize();
        }
        io.vmsim.core.topology.NodeAccesses numa = m.nodeAccesses();
        double wf = memset ? 1.0 : p.writeFraction();
        for (int r = 0; r < Math.max(1, p.repeat()); r++) {
            boolean misses = r == 0 ? firstPassMisses : repeatMisses;
            for (long off = 0; off < len; off += stride) {
                io.vmsim.core.mmu.Mmu mmu = m.kernel().mmus[t.cpu()]; // NUMA balancing may move the task
                long tlb = mmu.tlbMissPs;
                boolean w = wf >= 1.0 || (wf > 0 && rng.nextDouble() < wf);
                if (w && p.fill() != null) {
                    m.store(t, base + off, fillTag(p.fill(), t, base + off, p.offset() + off)); // KSM (issue 11): modelled contents
                } else {
                    m.access(t, base + off, w);
                }
                long missPs = misses ? Math.max(0, cost.cacheMissPs + numa.lastSurplusPs()) : 0;
                charge(cost, storePs, missPs, mmu.tlbMissPs - tlb);
                tick();
            }
        }
    }

    /**
     * Charges what a reference costs beyond its translation: {@code storePs} of memset stores
     * and a cache miss of {@code missPs}, part of which overlaps its TLB miss of {@code tlbPs}
     * ({@link io.vmsim.core.time.CostModel#overlappedMissPs}).
     */
    private void charge(io.vmsim.core.time.CostModel cost, long storePs, long missPs, long tlbPs) {
        long extra = storePs + (missPs != 0 ? cost.overlappedMissPs(tlbPs, missPs) : 0);
        if (extra != 0) {
            m.kernel().clock.advance(extra);
        }
    }

    /**
     * The bytes one pass of a strided phase brings into the cache: a 64-byte line a reference,
     * or for memset the {@code stride} bytes each reference writes (memset writes every byte).
     */
    private static long passFootprint(long len, long stride, boolean memset) {
        return ((len + stride - 1) / stride) * (memset ? Math.max(64, stride) : 64);
    }

    private long cacheSize() {
        return m.config().getLong(io.vmsim.core.config.CoreKeys.CPU_CACHE_SIZE);
    }

    /** read() or write() the phase's range of its file, page by page (reclaim, issue 3). */
    private void fileIo(PhaseSpec p) {
        Task t = task(p);
        m.kernel().currentTask = t; // mempolicy (issue 10): the page cache follows the reader's policy
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int file = fileIds[p.file()];
        long size = pc.file(file).sizePages << 12;
        long len = p.length() < 0 ? size - p.offset() : p.length();
        long step = Math.max(4096, p.stride() & -4096L);
        boolean write = p.op() == PhaseOp.WRITE;
        for (int r = 0; r < Math.max(1, p.repeat()); r++) {
            for (long off = p.offset(); off < p.offset() + len; off += step) {
                if (write) {
                    pc.write(t.mm(), t.cpu(), file, off >>> 12);
                } else {
                    pc.read(t.mm(), t.cpu(), file, off >>> 12);
                }
                if ((++fileOps & 63) == 0) {
                    m.tick();
                    safePoint();
                }
            }
        }
    }

    /** posix_fadvise(), ftruncate(), fsync() or msync() (issue 9). */
    private void fileOp(PhaseSpec p) {
        Task t = task(p);
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        switch (p.op()) {
            case FADVISE -> new io.vmsim.core.filemap.Fadvise(m.kernel(), pc).fadvise(t.mm(), t.cpu(), fileIds[p.file()],
                    p.offset(), Math.max(0, p.length()), p.advice());
            case FTRUNCATE -> new io.vmsim.core.filemap.Truncate(m.kernel(), pc).truncate(fileIds[p.file()], p.length(), t.cpu());
            case FSYNC -> new io.vmsim.core.filemap.Msync(m.kernel(), pc).fsync(fileIds[p.file()]);
            default -> new io.vmsim.core.filemap.Msync(m.kernel(), pc).msync(t.mm(), base(p), length(p), p.advice());
        }
        m.tick();
    }

    /** mlock() the range and fault every page in, as populate_vma_page_range() does (reclaim, issue 3). */
    private void mlock(PhaseSpec p) {
        Task t = task(p);
        long base = base(p);
        long len = length(p);
        sys.mlock(t.mm(), base, len);
        io.vmsim.core.mm.Vma v = t.mm().findVma(base);
        boolean write = v != null && v.has(io.vmsim.api.VmaFlags.VM_WRITE) && !v.has(io.vmsim.api.VmaFlags.VM_SHARED);
        for (long off = 0; off < len; off += 4096) {
            m.access(t, base + off, write);
            tick();
        }
    }

    private static boolean usesProcess(PhaseSpec p) {
        return p.op() != PhaseOp.SLEEP && p.op() != PhaseOp.NESTED_WALK;
    }

    /** Page-cache figures of the scenario's files (reclaim, issue 3). */
    List<RunResult.FileResult> fileResults() {
        List<RunResult.FileResult> out = new ArrayList<>();
        Reclaim r = Reclaim.of(m.kernel());
        for (int id : fileIds) {
            PageCache.FileStats f = r.pageCache().file(id);
            out.add(new RunResult.FileResult(f.name, f.sizePages, f.reads, f.writes, f.hits, f.misses, f.coldMisses,
                    f.refaults, f.readahead, f.resident));
        }
        return out;
    }

    private void random(PhaseSpec p, ZipfSampler zipf) {
        Task t = task(p);
        long base = base(p);
        long pages = pages(p);
        double wf = p.writeFraction();
        long n = (p.count() < 0 ? pages : p.count()) * Math.max(1, p.repeat());
        // No prefetcher follows random pages: a reference misses the last-level cache as often
        // as a uniform reference to the phase's lines (one 64-byte line a page) does against a
        // cache of cpu.cache_size, 1 - size/footprint, and is charged that fraction of a miss
        // and of its overlap with the walk (the uniform estimate: a zipf phase's hot pages hit
        // more often).
        io.vmsim.core.time.CostModel cost = m.kernel().cost;
        long footprint = pages * 64;
        io.vmsim.core.topology.NodeAccesses numa = m.nodeAccesses();
        double missFraction = (cost.cacheMissPs != 0 || numa.remoteCosts()) && footprint > cacheSize()
                ? 1.0 - (double) cacheSize() / footprint : 0;
        for (long i = 0; i < n; i++) {
            io.vmsim.core.mmu.Mmu mmu = m.kernel().mmus[t.cpu()]; // NUMA balancing may move the task
            long page = zipf == null ? rng.nextLong(pages) : zipf.sample(rng) - 1;
            long tlb = mmu.tlbMissPs;
            boolean w = wf >= 1.0 || (wf > 0 && rng.nextDouble() < wf);
            if (w && p.fill() != null) {
                m.store(t, base + (page << 12), fillTag(p.fill(), t, base + (page << 12), p.offset() + (page << 12))); // KSM (issue 11)
            } else {
                m.access(t, base + (page << 12), w);
            }
            long missPs = Math.max(0, cost.cacheMissPs + numa.lastSurplusPs());
            if (missFraction != 0 && missPs != 0) {
                m.kernel().clock.advance(Math.round(missFraction * cost.overlappedMissPs(mmu.tlbMissPs - tlb, missPs)));
            }
            tick();
        }
    }

    /**
     * The content tag a {@code fill} write stores (KSM, issue 11): {@code zero} an empty page,
     * {@code same:K} the same data for every page written with K, {@code unique} data of this
     * process and page alone (rewriting stores it again), {@code random} new data every time,
     * {@code image:K} page i of image K at the page {@code i} of the area ({@code vmaOffset}), the
     * same in every process that writes it (a guest's copy of a shared disk image).
     */
    private long fillTag(String fill, Task t, long va, long vmaOffset) {
        long tag = switch (fill) {
            case "zero" -> io.vmsim.core.mm.PageContents.ZERO;
            case "unique" -> mix(((long) t.pid() << 40) ^ (va >>> 12) ^ 0x756e69717565L);
            case "random" -> rng.nextLong();
            default -> fill.startsWith("image:")
                    ? mix(mix(Long.parseLong(fill.substring("image:".length())) ^ 0x696d616765L) + (vmaOffset >>> 12))
                    : mix(Long.parseLong(fill.substring("same:".length())) ^ 0x73616d65L);
        };
        if (!fill.equals("zero") && (tag == io.vmsim.core.mm.PageContents.ZERO || tag == io.vmsim.core.mm.PageContents.UNKNOWN)) {
            tag = 1;
        }
        return tag;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private void tick() {
        if ((m.refs() & 4095) == 0) {
            m.tick();
            safePoint();
        }
        if (m.refs() >= nextProgress) {
            nextProgress = m.refs() + PROGRESS_EVERY;
            progress.update(phaseName, m.refs(), totalRefs);
        }
    }

    /** Between references or file operations the machine is consistent: the run may stop here. */
    private void safePoint() {
        if (progress.stopRequested()) {
            throw new Stop();
        }
        io.vmsim.core.debug.InvariantChecker c = m.debugChecks();
        if (c != null) {
            c.maybeCheck(m.refs(), "phase '" + phaseName + "'");
        }
    }

    /** {@code vmsim.debug_checks}: the machine is consistent between phases. */
    private void checkInvariants(String where) {
        io.vmsim.core.debug.InvariantChecker c = m.debugChecks();
        if (c != null) {
            c.check(where);
        }
    }

    private SimProcess process(PhaseSpec p) {
        if (p.process() < 0 || p.process() >= procs.size()) {
            throw new WorkloadException("process #" + p.process() + " does not exist (there are " + procs.size() + ")");
        }
        return procs.get(p.process());
    }

    private Task task(PhaseSpec p) {
        List<Task> ts = process(p).threads();
        if (p.thread() < 0 || p.thread() >= ts.size()) {
            throw new WorkloadException("thread " + p.thread() + " does not exist in process " + process(p).name());
        }
        return ts.get(p.thread());
    }

    private long base(PhaseSpec p) {
        if (p.vma() < 0) {
            throw new WorkloadException("op " + p.op().yamlName() + " needs a vma");
        }
        return vmaStart.get(p.process())[p.vma()] + p.offset();
    }

    private long length(PhaseSpec p) {
        long size = vmaSize.get(p.process())[p.vma()];
        long len = p.length() < 0 ? size - p.offset() : p.length();
        if (p.offset() < 0 || p.offset() + len > size) {
            throw new WorkloadException("range [" + p.offset() + ", " + (p.offset() + len) + ") is outside the VMA of " + size + " bytes");
        }
        return len;
    }

    private long pages(PhaseSpec p) {
        return Math.max(1, length(p) >>> 12);
    }

    private static long expectedRefs(Scenario s, PhaseSpec p) {
        long rep = Math.max(1, p.repeat());
        return switch (p.op()) {
            case SEQUENTIAL, STRIDED, MEMSET -> {
                long size = p.vma() < 0 ? 0 : s.processes().get(Math.min(p.process(), s.processes().size() - 1))
                        .vmas().get(p.vma()).size();
                long len = p.length() < 0 ? size - p.offset() : p.length();
                yield p.stride() > 0 ? len / p.stride() * rep : 0;
            }
            case RANDOM, ZIPF -> {
                if (p.count() >= 0) {
                    yield p.count() * rep;
                }
                long size = p.vma() < 0 ? 0 : s.processes().get(Math.min(p.process(), s.processes().size() - 1))
                        .vmas().get(p.vma()).size();
                yield (p.length() < 0 ? size - p.offset() : p.length()) / 4096 * rep;
            }
            case PARALLEL -> {
                long n = 0;
                for (PhaseSpec sp : p.phases()) {
                    n += expectedRefs(s, sp);
                }
                yield n;
            }
            default -> 0;
        };
    }
}
