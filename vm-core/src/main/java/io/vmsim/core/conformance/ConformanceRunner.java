package io.vmsim.core.conformance;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.Machine;
import io.vmsim.core.SimProcess;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.debug.InvariantChecker;
import io.vmsim.core.filemap.Fadvise;
import io.vmsim.core.filemap.Msync;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.filemap.Truncate;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.mm.SyscallError;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.oom.OomKilledException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemPages;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.vmscan.Reclaim;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays one recorded kernel case ({@code conformance/expected/<case>.json}, issue 9) in a
 * fresh vmsim machine and compares vmsim's figures with the kernel's, field by field.
 *
 * <p>The machine: {@link #MEMORY} of RAM, the swap the case was recorded with (none but for the
 * cases that need it), THP enabled/defrag and overcommit mode/ratio
 * from the case's {@code settings}, {@code vmsim.debug_checks} on (every op is followed by the
 * invariant checker), and the zero pages off ({@code vm.zero_page=false},
 * {@code mm.transparent_hugepage.use_zero_page=false}): the recording kernel ran without a zero
 * page (pvm_no_zero_page=1), so a read fault of untouched private anonymous memory allocated a
 * frame there.
 *
 * <p>Compared exactly: per-op {@code errno}, {@code minflt} and {@code majflt} (the op's process's
 * {@link SimProcess#minFlt()} and {@link SimProcess#majFlt()} across the op, as {@code getrusage()}),
 * {@code signal}, {@code pages_done}, {@code child}, {@code moved} (mremap), {@code events} (userfaultfd, issue 12); per observation {@code vmas_delta}, and per
 * mapping {@code vmas perms rss_kb anonymous_kb anon_huge_kb locked_kb mincore_resident mincore
 * pm_present pm_swapped pm_zero_page pm_thp pm_distinct_frames pm_same_frame_as_saved},
 * {@code file.F.cached_pages}, and the memory cgroup's {@code usage_kb max_usage_kb failcnt oom_kill}
 * (vmsim's {@code memory.current}, {@code memory.peak}, {@link MemCgroup#failcnt} and
 * {@code oom_kill} event). A key listed in {@code varying} with a min and max passes within
 * them; one that merely differed is not compared. {@code vmstat} counters are global on the
 * recording machine, so vmsim's delta of {@code thp_fault_alloc thp_fault_fallback
 * thp_collapse_alloc thp_split_pmd} is only checked to be at most the recorded max. Not
 * compared: {@code values} (vmsim stores no data), Pss and the clean/dirty/shared splits,
 * {@code pm_exclusive pm_file_or_shared pm_mapcount_gt1}, {@code vmflags}, the rollup deltas and the
 * meminfo figures. {@code minflt} leaves out a fault that ended in SIGBUS, as
 * {@code mm_account_fault()} does.
 *
 * <p>Files: {@code disk} and {@code memfd} are page-cache files ({@code disk} filled files are
 * fsync'ed, as the probe does); {@code reopen_rdonly} names the same file through a read-only
 * descriptor ({@link MmSyscalls#mmapFile(Mm, long, long, String, boolean, int, long, boolean)});
 * {@code fadvise}, {@code ftruncate}, {@code fsync} and {@code msync} go to {@link Fadvise},
 * {@link Truncate} and {@link Msync}, and a {@code pwrite} past the end extends the file.
 * {@code cgroup_create} makes a memory cgroup whose {@code memory.max} is the v1 limit, and
 * {@code cgroup_enter} moves the process into it (its earlier charges stay where they are). The
 * probe's own process starts in a memory cgroup of its own without a limit
 * ({@link #PROBE_CGROUP}), as on the recording machine, where {@code /proc/self/cgroup} of the
 * recording shell and its children reads {@code memory:/process_api/<id>}. Before each op the
 * RCU callbacks whose grace period has ended run ({@code Machine.tick()} runs them too; the
 * replay does not tick, so no daemon runs).
 *
 * <p>The overcommit cases computed their lengths from the recording machine's memory: a length
 * of 1 GiB or more in an {@code overcommit-*} case is scaled to {@link #MEMORY} (times
 * {@code MEMORY / MemTotal}), and under {@code overcommit_memory=2} recomputed as the probe did,
 * from vmsim's own {@code CommitLimit - Committed_AS + 256 MiB}: only the verdicts (errno) are
 * compared.
 *
 * <p>An op vmsim cannot replay makes the case {@link Verdict#UNSUPPORTED} with the op named; a
 * case the kernel skipped is {@link Verdict#SKIPPED}.
 */
public final class ConformanceRunner {
    /** RAM of the replaying machine. */
    public static final long MEMORY = 1L << 30;
    private static final long PAGE = 4096;
    /** The memory cgroup the probe's own process runs in (that of the recording machine, no limit). */
    public static final String PROBE_CGROUP = "process_api";
    private static final long HUGE = 2L << 20;
    private static final List<String> ADVICE = List.of("dontneed", "hugepage", "nohugepage", "collapse", "populate_write",
            "cold", "pageout", "free");
    private static final Set<String> COMPARED = Set.of("errno", "minflt", "majflt", "signal", "pages_done", "child", "events",
            "vmas_delta", "vmas", "perms", "rss_kb", "anonymous_kb", "anon_huge_kb", "locked_kb", "mincore_resident",
            "mincore", "pm_present", "pm_swapped", "pm_zero_page", "pm_thp", "pm_distinct_frames",
            "pm_same_frame_as_saved", "cached_pages", "usage_kb", "max_usage_kb", "failcnt", "oom_kill", "moved");
    private static final List<String> VMSTAT_BOUNDED = List.of("thp_fault_alloc", "thp_fault_fallback",
            "thp_collapse_alloc", "thp_split_pmd");

    private final PolicyCatalog catalog;
    private final Map<String, String> overrides;

    /** A runner that builds its machines with the policies of {@code catalog} (the built-in ones: linux-2list, linux). */
    public ConformanceRunner(PolicyCatalog catalog) {
        this(catalog, Map.of());
    }

    /**
     * As above, with keys set after the runner's own (e.g. {@code vm.zero_page=true} to see the
     * cases the recording kernel's missing zero page decides).
     */
    public ConformanceRunner(PolicyCatalog catalog, Map<String, String> overrides) {
        this.catalog = catalog;
        this.overrides = new LinkedHashMap<>(overrides);
    }

    /** Reads and replays one case file. */
    public CaseResult run(Path file) throws IOException {
        return run(parse(Files.readString(file)), file.getFileName().toString().replaceFirst("\\.json$", ""));
    }

    /** Parses a case file (JSON, read as the YAML it also is). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String json) {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(64 << 20);
        Object doc = new Yaml(o).load(json);
        if (!(doc instanceof Map)) {
            throw new IllegalArgumentException("a case file holds one JSON object");
        }
        return (Map<String, Object>) doc;
    }

    /** Replays a parsed case; {@code fallbackId} names it if it has no {@code id}. */
    @SuppressWarnings("unchecked")
    public CaseResult run(Map<String, Object> doc, String fallbackId) {
        String id = doc.get("id") instanceof String s ? s : fallbackId;
        if (doc.get("skipped") != null) {
            return new CaseResult(id, Verdict.SKIPPED, "not recorded: " + doc.get("skipped"), List.of());
        }
        Map<String, Object> settings = (Map<String, Object>) doc.getOrDefault("settings", Map.of());
        List<Map<String, Object>> ops = (List<Map<String, Object>>) doc.getOrDefault("ops", List.of());
        String unsupported = unsupported(ops, settings);
        if (unsupported != null) {
            return new CaseResult(id, Verdict.UNSUPPORTED, unsupported, List.of());
        }
        Map<String, Object> observed = (Map<String, Object>) doc.getOrDefault("observed", Map.of());
        Map<String, Object> varying = (Map<String, Object>) doc.getOrDefault("varying", Map.of());
        Map<String, Object> vmstat = (Map<String, Object>) doc.getOrDefault("vmstat", Map.of());
        Map<String, Object> recorded = (Map<String, Object>) doc.getOrDefault("recorded", Map.of());
        Map<String, Object> machineSettings = new LinkedHashMap<>(settings);
        if (doc.get("recorded") instanceof Map<?, ?> rec && rec.get("read_ahead_kb") instanceof Number ra) {
            machineSettings.put("read_ahead_kb", ra); // the recording device's readahead window
        }
        Replay r = new Replay(machine(machineSettings), id, recorded, settings, vmstat.keySet());
        List<CaseResult.Check> checks = new ArrayList<>();
        try {
            r.run(ops);
        } catch (RuntimeException e) {
            checks.add(new CaseResult.Check("replay", "completes", "op " + r.current + ": " + e, Verdict.FAIL));
        }
        compare(observed, varying, r.got, checks);
        for (Map.Entry<String, Object> op : vmstat.entrySet()) {
            Map<String, Long> deltas = r.vmstatDeltas.get(op.getKey());
            if (deltas == null || !(op.getValue() instanceof Map<?, ?> counters)) {
                continue;
            }
            for (String c : VMSTAT_BOUNDED) {
                if (counters.get(c) instanceof Map<?, ?> mm && mm.get("max") instanceof Number max && deltas.containsKey(c)) {
                    long got = deltas.get(c);
                    checks.add(new CaseResult.Check("vmstat." + op.getKey() + "." + c, "<=" + max.longValue(),
                            Long.toString(got), got <= max.longValue() ? Verdict.PASS : Verdict.FAIL));
                }
            }
        }
        boolean fail = checks.stream().anyMatch(c -> c.verdict() == Verdict.FAIL);
        return new CaseResult(id, fail ? Verdict.FAIL : Verdict.PASS,
                fail ? checks.stream().filter(c -> c.verdict() == Verdict.FAIL).count() + " field(s) differ" : "", checks);
    }

    private static void compare(Map<String, Object> observed, Map<String, Object> varying, Map<String, Object> got,
                                List<CaseResult.Check> checks) {
        for (Map.Entry<String, Object> e : observed.entrySet()) {
            String key = e.getKey();
            String field = key.substring(key.lastIndexOf('.') + 1);
            if (!COMPARED.contains(field) || key.contains(".rollup.")) {
                continue;
            }
            Object g = got.get(key);
            String gs = g == null ? "n/a" : String.valueOf(g);
            Object var = varying.get(key);
            if (var instanceof Map<?, ?> v) {
                if (v.get("min") instanceof Number min && v.get("max") instanceof Number max) {
                    boolean ok = g instanceof Number n && n.longValue() >= min.longValue() && n.longValue() <= max.longValue();
                    checks.add(new CaseResult.Check(key, "[" + min + "," + max + "]", gs, ok ? Verdict.PASS : Verdict.FAIL));
                }
                continue; // differed between runs without a range: not compared
            }
            String expected = String.valueOf(e.getValue());
            boolean ok = g != null && (e.getValue() instanceof Number n && g instanceof Number gn
                    ? n.longValue() == gn.longValue() : expected.equals(gs));
            checks.add(new CaseResult.Check(key, expected, gs, ok ? Verdict.PASS : Verdict.FAIL));
        }
    }

    /** The first op of the case vmsim cannot replay, as {@code unsupported: <op>}, or null. */
    private static String unsupported(List<Map<String, Object>> ops, Map<String, Object> settings) {
        for (Map<String, Object> op : ops) {
            String name = str(op, "op");
            String why = switch (name) {
                case "mmap" -> {
                    for (String f : str(op, "flags").split("\\|")) {
                        if (!List.of("private", "shared", "anonymous", "populate", "noreserve", "locked", "hugetlb", "").contains(f)) {
                            yield "mmap flag " + f;
                        }
                    }
                    yield null;
                }
                case "munmap", "mprotect", "read", "write", "fork", "exit", "wait", "observe", "pread", "pwrite", "ftruncate",
                        "fsync", "msync", "cgroup_enter", "mbind", "set_mempolicy" -> null;
                case "uffd_open", "uffd_api", "uffd_register", "uffd_unregister", "uffd_copy", "uffd_zeropage",
                        "uffd_writeprotect", "uffd_unit", "uffd_events" -> null; // userfaultfd (issue 12)
                case "fadvise" -> Fadvise.ADVICE.contains(str(op, "advice")) ? null : "fadvise " + str(op, "advice");
                case "cgroup_create" -> "memory-v1".equals(str(op, "controller")) ? null : "cgroup " + str(op, "controller");
                case "madvise" -> ADVICE.contains(str(op, "advice")) ? null : "madvise " + str(op, "advice");
                case "mlock" -> List.of("", "onfault").contains(str(op, "flags")) ? null : "mlock " + str(op, "flags");
                case "munlock" -> null;
                case "mremap" -> List.of("", "maymove").contains(str(op, "flags")) ? null : "mremap " + str(op, "flags");
                case "file" -> List.of("disk", "memfd", "reopen_rdonly").contains(str(op, "kind")) ? null
                        : "file " + str(op, "kind");
                case "sysctl" -> String.valueOf(settings.get(str(op, "name"))).equals(str(op, "value")) ? null
                        : "sysctl " + str(op, "name") + " changed during the case";
                default -> name; // mremap, munlock: no vmsim API
            };
            if (why != null) {
                return "unsupported: " + why;
            }
        }
        return null;
    }

    private Machine machine(Map<String, Object> settings) {
        ConfigLoader l = new ConfigLoader(catalog)
                .set(CoreKeys.MEMORY, Long.toString(MEMORY))
                .set(CoreKeys.SWAP_SIZE, Long.toString(swapBytes(settings)))
                // the recording machine swapped to a file on a virtio disk: asynchronous writes
                // (conformance/writeback: pgrotated follows pswpout)
                .set(CoreKeys.SWAP_SYNCHRONOUS_IO, "false")
                // a pwrite() of a page costs 8.1-9.0 us of CPU on the recording machine, 0.6 of it the copy
                // (median of three runs, conformance/writeback/pwrite-cost.run*.json): the flusher's writes complete while the
                // writer goes on, as the recording's did (memcg-page-cache-writeback.run1.json)
                .set(CoreKeys.COST_WRITE_PAGE, "7700")
                // and spent 45 us of CPU a page reclaim wrote (the median spacing of
                // mm_vmscan_write_folio within a batch, conformance/writeback/memcg-swap-trace.run*.json)
                .set(CoreKeys.COST_PAGEOUT, "45000")
                // and 15.9 us of CPU a first-touch anonymous fault, one byte written a page as the
                // probe's op_write does (median of five runs of conformance/writeback/anon-fault-cost.c),
                // 0.4 of it clear_page() (cost.zero_4k_ns): how far the fault loop gets while a swap
                // write is in flight decides whether reclaim finds the pages it wrote rotated to the
                // inactive tail when it comes back (writeback/README.md)
                .set(CoreKeys.COST_FAULT, "15400")
                .set(CoreKeys.ZERO_PAGE, "false")
                .set(CoreKeys.THP_USE_ZERO_PAGE, "false")
                .set(CoreKeys.DEBUG_CHECKS, "true");
        if (settings.get("thp_enabled") != null) {
            l.set(CoreKeys.THP_ENABLED, String.valueOf(settings.get("thp_enabled")));
        }
        if (settings.get("thp_defrag") != null) {
            l.set(CoreKeys.THP_DEFRAG, String.valueOf(settings.get("thp_defrag")));
        }
        if (settings.get("overcommit_memory") != null) {
            l.set(CoreKeys.OVERCOMMIT_MEMORY, String.valueOf(settings.get("overcommit_memory")));
        }
        if (settings.get("read_ahead_kb") instanceof Number ra) {
            l.set(CoreKeys.READ_AHEAD_KB, Long.toString(ra.longValue()));
        }
        if (settings.get("nr_hugepages") != null) { // userfaultfd (issue 12): the hugetlb cases set it
            l.set(CoreKeys.NR_HUGEPAGES, String.valueOf(settings.get("nr_hugepages")));
        }
        if (settings.get("overcommit_ratio") != null) {
            l.set(CoreKeys.OVERCOMMIT_RATIO, String.valueOf(settings.get("overcommit_ratio")));
        }
        overrides.forEach(l::set);
        return Machine.create(l.load(), catalog);
    }

    /** The swap the case was recorded with ({@code settings.swap_total_kb}), none when absent. */
    static long swapBytes(Map<String, Object> settings) {
        return settings.get("swap_total_kb") instanceof Number n ? n.longValue() * 1024 : 0;
    }

    private static String str(Map<String, Object> op, String key) {
        Object v = op.get(key);
        return v == null ? "" : String.valueOf(v);
    }

    private static long num(Map<String, Object> op, String key) {
        Object v = op.get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }

    /** One replay: the machine, the processes, their mappings by label, and what was measured. */
    private static final class Replay {
        final Machine m;
        final Kernel k;
        final MmSyscalls sys;
        final String id;
        final Map<String, Object> recorded;
        final Map<String, Object> settings;
        /** The ops the probe measured ("opN"): it read /proc/vmstat before and after each (harness.c meas_begin(), meas_end()). */
        final Set<String> measured;
        final Map<String, Object> got = new LinkedHashMap<>();
        final Map<String, Map<String, Long>> vmstatDeltas = new HashMap<>();
        final Map<String, SimProcess> procs = new HashMap<>();
        final Map<String, Map<String, long[]>> maps = new HashMap<>();
        final Map<String, Integer> files = new HashMap<>();
        final Map<String, int[]> saved = new HashMap<>();
        final Map<Long, Long> scaled = new HashMap<>();
        final Set<String> readOnly = new HashSet<>();
        int cgroup = -1;
        /** What the probe's own reads of /proc and the group's files charge. */
        final ProbeReads reads;
        String childState = "exit:0";
        long cursor = 0x100000000000L;
        int current = -1;
        private io.vmsim.core.mempolicy.syscall.MempolicySyscalls mempolicySyscalls;

        Replay(Machine m, String id, Map<String, Object> recorded, Map<String, Object> settings, Set<String> measured) {
            this.m = m;
            this.measured = measured;
            this.k = m.kernel();
            this.reads = new ProbeReads(k);
            this.sys = m.syscalls();
            this.id = id;
            this.recorded = recorded;
            this.settings = settings;
            SimProcess probe = m.spawn("probe", List.of(0));
            Reclaim r = Reclaim.of(k);
            if (r != null && r.lruDomains() != null) {
                // the probe ran in a memory cgroup of its own on the recording machine (cgroup v1
                // "memory:/process_api/<id>" in /proc/self/cgroup), not in the root, so the
                // objects it allocates (a forked child's mm_struct) are charged
                probe.mm().memcg = r.createCgroup(PROBE_CGROUP, Long.MAX_VALUE, Long.MAX_VALUE);
            }
            procs.put("parent", probe);
            maps.put("parent", new LinkedHashMap<>());
        }

        void run(List<Map<String, Object>> ops) {
            InvariantChecker checker = m.debugChecks();
            for (Map<String, Object> op : ops) {
                current = (int) num(op, "n");
                String key = "op" + current;
                Map<String, Long> before = m.vmstat();
                SimProcess proc = procs.get(str(op, "proc").isEmpty() ? "parent" : str(op, "proc"));
                long minBefore = proc == null ? 0 : proc.minFlt();
                long majBefore = proc == null ? 0 : proc.majFlt();
                got.put(key + ".errno", "ok");
                k.hooks.rcuCallbacks(); // the RCU callbacks whose grace period ended before the op
                boolean measuredOp = measured.contains(key) && proc != null;
                try {
                    if (measuredOp) {
                        reads.vmstat(proc.threads().get(0));
                    }
                    exec(op, key);
                    if (measuredOp && !proc.mm().exited) {
                        reads.vmstat(proc.threads().get(0));
                    }
                } catch (OomKilledException e) {
                    if (!"child".equals(str(op, "proc"))) {
                        throw e;
                    }
                    childState = "signal:SIGKILL";
                }
                Map<String, Long> after = m.vmstat();
                Map<String, Long> d = new HashMap<>();
                for (Map.Entry<String, Long> e : after.entrySet()) {
                    d.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L));
                }
                vmstatDeltas.put(key, d);
                // getrusage() of the op's process: its tasks' min_flt and maj_flt (mm_account_fault())
                got.put(key + ".minflt", proc == null ? 0 : proc.minFlt() - minBefore);
                got.put(key + ".majflt", proc == null ? 0 : proc.majFlt() - majBefore);
                if (checker != null) {
                    checker.check("conformance case " + id + ", op " + current);
                }
            }
        }

        private Task task(Map<String, Object> op) {
            SimProcess p = procs.get(str(op, "proc").isEmpty() ? "parent" : str(op, "proc"));
            if (p == null) {
                throw new IllegalStateException("no process " + str(op, "proc"));
            }
            return p.threads().get(0);
        }

        private Map<String, long[]> mapsOf(Map<String, Object> op) {
            return maps.get(str(op, "proc").isEmpty() ? "parent" : str(op, "proc"));
        }

        private void exec(Map<String, Object> op, String key) {
            Task t = task(op);
            Mm mm = t.mm();
            switch (str(op, "op")) {
                case "sysctl" -> { } // the machine was built with the case's settings
                case "mmap" -> errno(key, () -> mmap(op, t));
                case "munmap" -> errno(key, () -> {
                    long[] r = range(op);
                    sys.munmap(mm, r[0], r[1], t.cpu());
                });
                case "mbind" -> errno(key, () -> { // mempolicy (issue 10)
                    long[] map = mapsOf(op).get(str(op, "map"));
                    mempolicy().mbind(t, map[0] + num(op, "offset"), num(op, "len"), str(op, "mode"), nodes(num(op, "nodes")),
                            List.of(), false);
                });
                case "set_mempolicy" -> errno(key, () -> mempolicy().setMempolicy(t, str(op, "mode"), nodes(num(op, "nodes")),
                        List.of()));
                case "mprotect" -> errno(key, () -> {
                    long[] r = range(op);
                    String prot = str(op, "prot");
                    sys.mprotect(mm, r[0], r[1], "none".equals(prot) ? "" : prot);
                });
                case "madvise" -> errno(key, () -> {
                    long[] r = range(op);
                    if ("populate_write".equals(str(op, "advice"))) {
                        populate(t, r[0], r[1], true);
                    } else {
                        sys.madvise(mm, r[0], r[1], str(op, "advice"), t.cpu());
                    }
                });
                case "mlock" -> errno(key, () -> {
                    long[] r = range(op);
                    sys.mlock(mm, r[0], r[1]);
                    if (!"onfault".equals(str(op, "flags"))) {
                        populate(t, r[0], r[1], privateWritable(mm, r[0]));
                    }
                });
                case "munlock" -> errno(key, () -> {
                    long[] r = range(op);
                    sys.munlock(mm, r[0], r[1]);
                });
                case "mremap" -> errno(key, () -> mremap(op, key, t));
                case "read", "write" -> touch(op, key, t);
                case "fork" -> {
                    SimProcess child = m.fork(procs.get("parent"), 0);
                    procs.put("child", child);
                    maps.put("child", new LinkedHashMap<>(maps.get("parent")));
                }
                case "exit" -> {
                    if (!mm.exited) { // not if the OOM killer took it
                        sys.exit(mm, t.cpu());
                    }
                }
                case "wait" -> {
                    got.put(key + ".child", childState);
                    reads.reaped("child", t.cpu());
                }
                case "file" -> {
                    if ("reopen_rdonly".equals(str(op, "kind"))) {
                        // the file "of" opened again O_RDONLY: the same file, a read-only descriptor
                        files.put(str(op, "file"), files.get(str(op, "of")));
                        readOnly.add(str(op, "file"));
                        return;
                    }
                    PageCache pc = Reclaim.of(k).pageCache();
                    // a memfd is a shmem file (memfd_create()); a disk file an ordinary one
                    int f = "memfd".equals(str(op, "kind")) ? pc.createShmemFile(str(op, "file"), num(op, "len"))
                            : pc.createFile(str(op, "file"), num(op, "len"));
                    files.put(str(op, "file"), f);
                    if (num(op, "value") != 0) {
                        for (long i = 0; i < (num(op, "len") + PAGE - 1) / PAGE; i++) {
                            pc.write(mm, t.cpu(), f, i);
                        }
                        if ("disk".equals(str(op, "kind"))) {
                            new Msync(k, pc).fsync(f); // the probe fsync()s a disk file it filled
                        }
                    }
                }
                case "pread", "pwrite" -> {
                    PageCache pc = Reclaim.of(k).pageCache();
                    int f = files.get(str(op, "file"));
                    long first = num(op, "offset") / PAGE;
                    long pages = (num(op, "len") + PAGE - 1) / PAGE;
                    if ("pwrite".equals(str(op, "op")) && first + pages > pc.file(f).sizePages) {
                        // a write() past the end extends the file (i_size_write() in generic_write_end())
                        new Truncate(k, pc).truncate(f, (first + pages) * PAGE, t.cpu());
                    }
                    for (long i = first; i < first + pages; i++) {
                        if ("pwrite".equals(str(op, "op"))) {
                            pc.write(mm, t.cpu(), f, i);
                        } else {
                            pc.read(mm, t.cpu(), f, i);
                        }
                    }
                    got.put(key + ".signal", "none");
                    got.put(key + ".pages_done", pages);
                }
                case "fadvise" -> errno(key, () -> new Fadvise(k, Reclaim.of(k).pageCache()).fadvise(mm, t.cpu(),
                        files.get(str(op, "file")), num(op, "offset"), num(op, "len"), str(op, "advice")));
                case "ftruncate" -> errno(key, () -> {
                    if (readOnly.contains(str(op, "file"))) {
                        // do_sys_ftruncate(): a descriptor not open for writing is EINVAL
                        throw new IllegalArgumentException("ftruncate of a file opened read-only: EINVAL");
                    }
                    new Truncate(k, Reclaim.of(k).pageCache()).truncate(files.get(str(op, "file")), num(op, "len"), t.cpu());
                });
                case "fsync" -> errno(key, () -> new Msync(k, Reclaim.of(k).pageCache()).fsync(files.get(str(op, "file"))));
                case "msync" -> errno(key, () -> {
                    long[] r = range(op);
                    new Msync(k, Reclaim.of(k).pageCache()).msync(mm, r[0], r[1], str(op, "flags"));
                });
                case "cgroup_create" -> cgroup = Reclaim.of(k).createCgroup("conformance", num(op, "limit"), Long.MAX_VALUE);
                case "cgroup_enter" -> mm.memcg = cgroup; // moving a task does not move its charges (cgroup v1 default)
                case "observe" -> observe(op, t);
                case "uffd_open", "uffd_api", "uffd_register", "uffd_unregister", "uffd_copy", "uffd_zeropage",
                        "uffd_writeprotect", "uffd_unit", "uffd_events" -> uffd(op, key, t);
                default -> throw new IllegalStateException("op " + str(op, "op") + " is not replayable");
            }
        }

        // userfaultfd (issue 12): the probe's userfaultfd, its monitor's unit and log
        private io.vmsim.core.uffd.Userfaultfd uffd;
        private long uffdUnit = PAGE;
        private final List<io.vmsim.core.uffd.UffdMsg> uffdLog = new ArrayList<>();
        private int uffdSeen;

        /**
         * The userfaultfd ops of the probe (harness.c): its monitor thread resolves every fault at
         * once (a WP fault by clearing the protection of its page, a minor one with
         * UFFDIO_CONTINUE, a missing one with UFFDIO_COPY of the unit) and logs each message, which
         * {@code uffd_events} reports as the probe does.
         */
        private void uffd(Map<String, Object> op, String key, Task t) {
            String name = str(op, "op");
            if (name.equals("uffd_open") || name.equals("uffd_api")) {
                if (uffd == null) {
                    uffd = io.vmsim.core.uffd.Userfaultfds.of(k, sys).open(t.mm());
                    uffd.setMonitor((u, msg) -> {
                        uffdLog.add(msg);
                        if (!msg.isPagefault()) {
                            return;
                        }
                        long a = msg.address() & -uffdUnit;
                        if ((msg.flags() & io.vmsim.core.uffd.Uffd.UFFD_PAGEFAULT_FLAG_WP) != 0) {
                            u.writeProtect(a, uffdUnit, 0);
                        } else if ((msg.flags() & io.vmsim.core.uffd.Uffd.UFFD_PAGEFAULT_FLAG_MINOR) != 0) {
                            u.cont(a, uffdUnit, 0);
                        } else {
                            u.copy(a, uffdUnit, 0);
                        }
                    });
                }
                long features = 0;
                for (String f : str(op, "features").split("\\|")) {
                    int bit = io.vmsim.core.scenario.ScenarioParser.UFFD_FEATURES.indexOf(f);
                    features |= bit < 0 ? 0 : 1L << bit;
                }
                uffdErrno(key, uffd.api(io.vmsim.core.uffd.Uffd.UFFD_API, features));
                return;
            }
            if (name.equals("uffd_unit")) {
                uffdUnit = num(op, "len");
                return;
            }
            long[] map = mapsOf(op).get(str(op, "map"));
            if (name.equals("uffd_events")) {
                StringBuilder sb = new StringBuilder();
                for (; uffdSeen < uffdLog.size(); uffdSeen++) {
                    io.vmsim.core.uffd.UffdMsg g = uffdLog.get(uffdSeen);
                    if (sb.length() > 0) {
                        sb.append(',');
                    }
                    switch (g.event()) {
                        case io.vmsim.core.uffd.Uffd.UFFD_EVENT_PAGEFAULT -> sb.append("PAGEFAULT:0x")
                                .append(Long.toHexString(g.address() - map[0])).append(':')
                                .append((g.flags() & io.vmsim.core.uffd.Uffd.UFFD_PAGEFAULT_FLAG_WRITE) != 0 ? "W" : "")
                                .append((g.flags() & io.vmsim.core.uffd.Uffd.UFFD_PAGEFAULT_FLAG_WP) != 0 ? "P" : "")
                                .append((g.flags() & io.vmsim.core.uffd.Uffd.UFFD_PAGEFAULT_FLAG_MINOR) != 0 ? "M" : "")
                                .append(g.ptid() == t.tid() && g.ptid() != 0 ? "T" : "");
                        case io.vmsim.core.uffd.Uffd.UFFD_EVENT_REMOVE, io.vmsim.core.uffd.Uffd.UFFD_EVENT_UNMAP -> sb
                                .append(io.vmsim.core.uffd.Uffd.eventName(g.event())).append(":0x")
                                .append(Long.toHexString(g.address() - map[0])).append("-0x")
                                .append(Long.toHexString(g.address2() - map[0]));
                        case io.vmsim.core.uffd.Uffd.UFFD_EVENT_FORK -> sb.append("FORK");
                        default -> sb.append("EVENT").append(g.event());
                    }
                }
                got.put(key + ".events", sb.toString());
                return;
            }
            long start = map[0] + num(op, "offset");
            long len = num(op, "len");
            String mode = str(op, "mode");
            List<String> words = List.of(mode.split("\\|"));
            long r = switch (name) {
                case "uffd_register" -> uffd.register(start, len,
                        (words.contains("missing") ? io.vmsim.core.uffd.Uffd.UFFDIO_REGISTER_MODE_MISSING : 0)
                        | (words.contains("wp") ? io.vmsim.core.uffd.Uffd.UFFDIO_REGISTER_MODE_WP : 0)
                        | (words.contains("minor") ? io.vmsim.core.uffd.Uffd.UFFDIO_REGISTER_MODE_MINOR : 0));
                case "uffd_unregister" -> uffd.unregister(start, len);
                case "uffd_copy" -> uffd.copy(start, len,
                        (words.contains("dontwake") ? io.vmsim.core.uffd.Uffd.UFFDIO_COPY_MODE_DONTWAKE : 0)
                        | (words.contains("wp") ? io.vmsim.core.uffd.Uffd.UFFDIO_COPY_MODE_WP : 0));
                case "uffd_zeropage" -> uffd.zeropage(start, len,
                        words.contains("dontwake") ? io.vmsim.core.uffd.Uffd.UFFDIO_ZEROPAGE_MODE_DONTWAKE : 0);
                default -> uffd.writeProtect(start, len,
                        (words.contains("wp") ? io.vmsim.core.uffd.Uffd.UFFDIO_WRITEPROTECT_MODE_WP : 0)
                        | (words.contains("dontwake") ? io.vmsim.core.uffd.Uffd.UFFDIO_WRITEPROTECT_MODE_DONTWAKE : 0));
            };
            uffdErrno(key, r);
        }

        private void uffdErrno(String key, long r) {
            got.put(key + ".errno", r < 0 ? io.vmsim.core.uffd.Uffd.errnoName(r) : "ok");
        }

        /** Runs a system call; a refusal becomes {@code opN.errno} (ENOMEM: overcommit or out of memory; EINVAL: bad arguments). */
        private void errno(String key, Runnable call) {
            try {
                call.run();
            } catch (SyscallError e) {
                got.put(key + ".errno", e.errno());
            } catch (io.vmsim.core.mempolicy.MempolicyException e) {
                got.put(key + ".errno", e.errno());
            } catch (WorkloadException e) {
                got.put(key + ".errno", "ENOMEM");
            } catch (IllegalArgumentException e) {
                got.put(key + ".errno", "EINVAL");
            }
        }

        private io.vmsim.core.mempolicy.syscall.MempolicySyscalls mempolicy() {
            if (mempolicySyscalls == null) {
                mempolicySyscalls = new io.vmsim.core.mempolicy.syscall.MempolicySyscalls(k, sys);
            }
            return mempolicySyscalls;
        }

        /** The node numbers of a node mask (bit n: node n). */
        private static List<Integer> nodes(long mask) {
            List<Integer> out = new ArrayList<>();
            for (long m = mask; m != 0; m &= m - 1) {
                out.add(Long.numberOfTrailingZeros(m));
            }
            return out;
        }

        private long[] range(Map<String, Object> op) {
            long[] map = mapsOf(op).get(str(op, "map"));
            if (map == null) {
                throw new IllegalStateException("mapping '" + str(op, "map") + "' is not mapped");
            }
            return new long[] {map[0] + num(op, "offset"), length(num(op, "len"))};
        }

        /** A length; in an overcommit case, one derived from the recording machine's memory is scaled (see the class comment). */
        private long length(long len) {
            if (!id.startsWith("overcommit-") || len < (1L << 30)) {
                return len;
            }
            return scaled.computeIfAbsent(len, l -> {
                if ("2".equals(String.valueOf(settings.get("overcommit_memory")))) {
                    Map<String, Long> mi = m.meminfo();
                    long remaining = (mi.get("CommitLimit") - mi.get("Committed_AS")) * 1024 + (256L << 20);
                    return remaining & -HUGE;
                }
                long total = recorded.get("mem_total_kb") instanceof Number n ? n.longValue() * 1024 : MEMORY;
                return (long) ((double) l * MEMORY / total) & -HUGE;
            });
        }

        private void mmap(Map<String, Object> op, Task t) {
            Mm mm = t.mm();
            Map<String, long[]> ms = mapsOf(op);
            long len = length(num(op, "len"));
            String prot = "none".equals(str(op, "prot")) ? "" : str(op, "prot");
            List<String> flags = List.of(str(op, "flags").split("\\|"));
            boolean shared = flags.contains("shared");
            long addr;
            if (!str(op, "after").isEmpty()) {
                long[] a = ms.get(str(op, "after"));
                addr = a[0] + a[1];
            } else if (!str(op, "before").isEmpty()) {
                addr = ms.get(str(op, "before"))[0] - len;
            } else {
                // a 2 MiB-aligned address with at least 2 MiB unmapped on both sides, as the probe's
                addr = cursor;
                cursor = (addr + len + HUGE - 1 & -HUGE) + HUGE;
            }
            long start;
            if (flags.contains("hugetlb")) {
                start = sys.mmapHugetlb(mm, len, prot, HUGE, "vmprobe"); // MAP_HUGETLB (userfaultfd, issue 12)
            } else if (flags.contains("anonymous")) {
                start = sys.mmapAnon(mm, addr, len, prot, shared, HUGE, flags.contains("noreserve"));
            } else {
                start = sys.mmapFile(mm, addr, len, prot, shared, files.get(str(op, "file")), num(op, "file_offset") / PAGE,
                        !readOnly.contains(str(op, "file")));
            }
            ms.put(str(op, "map"), new long[] {start, len});
            if (flags.contains("locked")) {
                sys.mlock(mm, start, len);
            }
            if (flags.contains("locked") || flags.contains("populate")) {
                populate(t, start, len, privateWritable(mm, start));
            }
        }

        /**
         * mremap of a mapping from its start; later ops on the label use the new range, and after a
         * move the label {@code <map>_old} names the old one, now unmapped (the probe's {@code old_as},
         * which its op record leaves out): usable as a range, not observed.
         */
        private void mremap(Map<String, Object> op, String key, Task t) {
            Map<String, long[]> ms = mapsOf(op);
            long[] old = ms.get(str(op, "map"));
            long newLen = num(op, "new_len");
            long start = sys.mremap(t.mm(), old[0], num(op, "old_len"), newLen, str(op, "flags"), 0, t.cpu());
            got.put(key + ".moved", start != old[0]);
            ms.put(str(op, "map"), new long[] {start, newLen});
            if (start != old[0]) {
                ms.put(str(op, "map") + "_old", new long[] {old[0], old[1], 0});
            }
            Vma v = t.mm().findVma(start);
            if (v != null && v.has(VmaFlags.VM_LOCKED) && newLen > old[1]) {
                populate(t, start + old[1], newLen - old[1], privateWritable(t.mm(), start)); // mremap(): mm_populate() of the growth
            }
        }

        private static boolean privateWritable(Mm mm, long va) {
            Vma v = mm.findVma(va);
            return v != null && v.has(VmaFlags.VM_WRITE) && !v.has(VmaFlags.VM_SHARED);
        }

        /** Faults every page in, as populate_vma_page_range() does (a write fault where the area is private and writable). */
        private void populate(Task t, long start, long len, boolean write) {
            for (long off = 0; off < len; off += PAGE) {
                m.access(t, start + off, write);
            }
        }

        private void touch(Map<String, Object> op, String key, Task t) {
            long[] map = mapsOf(op).get(str(op, "map"));
            boolean write = "write".equals(str(op, "op"));
            long pages = (num(op, "len") + PAGE - 1) / PAGE;
            long done = 0;
            String signal = "none";
            for (; done < pages; done++) {
                long va = map[0] + num(op, "offset") + done * PAGE;
                try {
                    m.access(t, va, write);
                } catch (WorkloadException e) {
                    String msg = String.valueOf(e.getMessage());
                    if (msg.startsWith("segmentation fault")) {
                        signal = "SIGSEGV";
                    } else if (msg.contains("beyond the end") || msg.startsWith("bus error (SIGBUS)")) {
                        signal = "SIGBUS";
                    } else {
                        throw e;
                    }
                    break;
                }
            }
            got.put(key + ".signal", signal);
            got.put(key + ".pages_done", done);
        }

        private void observe(Map<String, Object> op, Task t) {
            Mm mm = t.mm();
            String label = str(op, "label");
            int vmas = 0;
            for (Vma ignored : mm.vmas()) {
                vmas++;
            }
            got.put(label + ".vmas_delta", vmas);
            // harness.c observe() reads /proc/self/maps, smaps_rollup and smaps first, each
            // opened, read and closed; then, for each mapping, opens /proc/self/pagemap and
            // /proc/kpageflags and /proc/kpagecount (not seq_files: their reads allocate nothing accounted)
            String proc = str(op, "proc").isEmpty() ? "parent" : str(op, "proc");
            reads.procFile(t, proc, "maps");
            reads.procFile(t, proc, "smaps_rollup");
            reads.procFile(t, proc, "smaps");
            boolean save = num(op, "save_frames") != 0;
            for (Map.Entry<String, long[]> e : mapsOf(op).entrySet()) {
                if (e.getValue().length > 2) {
                    continue; // an unmapped range kept for its label (mremap's old_as)
                }
                int[] open = reads.openPagemap(t, proc);
                observeMapping(mm, label + "." + e.getKey(), e.getKey(), e.getValue()[0], e.getValue()[1], save);
                reads.close(t, open);
            }
            PageCache pc = Reclaim.of(k).pageCache();
            for (Map.Entry<String, Integer> f : files.entrySet()) {
                long cached = 0;
                for (long i = 0; i < pc.file(f.getValue()).sizePages; i++) {
                    if (pc.lookup(f.getValue(), i) >= 0) {
                        cached++;
                    }
                }
                got.put(label + ".file." + f.getKey() + ".cached_pages", cached);
            }
            if (cgroup >= 0) {
                // cgroup v1 memory.usage_in_bytes, max_usage_in_bytes, failcnt, oom_control's
                // oom_kill, each read through a file the probe opens, reads and closes (harness.c
                // sysfs_ll()): the value is taken while that file's struct file and seq_file
                // buffer are charged to the reading task's group (writeback/memcg-swap-end-kmem.c)
                MemCgroup cg = Reclaim.of(k).lruDomains().cgroup(cgroup);
                reads.groupFile(t, "memory.usage_in_bytes", () -> got.put(label + ".cgroup.usage_kb", cg.current * 4));
                reads.groupFile(t, "memory.max_usage_in_bytes", () -> got.put(label + ".cgroup.max_usage_kb", cg.peak * 4));
                reads.groupFile(t, "memory.failcnt", () -> got.put(label + ".cgroup.failcnt", cg.failcnt));
                reads.groupFile(t, "memory.oom_control", () -> got.put(label + ".cgroup.oom_kill", cg.eventsOomKill));
            }
        }

        private void observeMapping(Mm mm, String prefix, String name, long start, long len, boolean save) {
            long end = start + len;
            List<Vma> vs = new ArrayList<>();
            for (Vma v : mm.vmas()) {
                if (v.start() < end && v.end() > start) {
                    vs.add(v);
                }
            }
            List<String> perms = new ArrayList<>();
            long rss = 0;
            long anon = 0;
            long anonHuge = 0;
            long locked = 0;
            for (Vma v : vs) {
                perms.add((v.has(VmaFlags.VM_READ) ? "r" : "-") + (v.has(VmaFlags.VM_WRITE) ? "w" : "-")
                        + (v.has(VmaFlags.VM_EXEC) ? "x" : "-") + (v.has(VmaFlags.VM_MAYSHARE) ? "s" : "p")); // show_map_vma()
                if (v.end() - v.start() > (64L << 30)) {
                    continue; // an untouched overcommit-sized area: not walked
                }
                for (long va = v.start(); va < v.end(); va += PAGE) {
                    long e = k.lookupLeaf(mm, va);
                    int pfn = pfn(e, va);
                    if (pfn < 0 || zero(pfn)) {
                        continue;
                    }
                    rss += 4;
                    if (k.frames.test(head(pfn), PageFrames.PG_ANON) && !shmem(head(pfn))) {
                        anon += 4;
                        if (Pte.huge(e)) {
                            anonHuge += 4;
                        }
                    }
                    if (v.has(VmaFlags.VM_LOCKED)) {
                        locked += 4;
                    }
                }
            }
            got.put(prefix + ".vmas", vs.size());
            got.put(prefix + ".perms", String.join(",", perms));
            got.put(prefix + ".rss_kb", rss);
            got.put(prefix + ".anonymous_kb", anon);
            got.put(prefix + ".anon_huge_kb", anonHuge);
            got.put(prefix + ".locked_kb", locked);
            if (len > (64L << 30)) {
                return;
            }
            PageCache pc = Reclaim.of(k).pageCache();
            int pages = (int) (len / PAGE);
            int[] frames = new int[pages];
            StringBuilder mincore = new StringBuilder();
            long resident = 0;
            long present = 0;
            long swapped = 0;
            long zeros = 0;
            long thp = 0;
            long same = 0;
            Set<Integer> distinct = new HashSet<>();
            int[] old = saved.get(name);
            for (int i = 0; i < pages; i++) {
                long va = start + i * PAGE;
                Vma v = mm.findVma(va);
                frames[i] = -1;
                if (v == null || !v.contains(va)) {
                    mincore.append('-');
                    continue;
                }
                long e = k.lookupLeaf(mm, va);
                int pfn = pfn(e, va);
                boolean res = pfn >= 0;
                if (!res && v.file() > 0) {
                    res = pc.lookup(v.file(), v.pgoff() + ((va - v.start()) >>> 12)) >= 0;
                }
                if (!res && v.anonVma() != null && v.anonVma().shmem() != null) {
                    // mincore() of shmem: the page is in the object's page cache (mincore_page())
                    long slot = v.anonVma().shmem().get(v.linearIndex(va));
                    res = slot != ShmemPages.NONE && !Pte.isSwap(slot);
                }
                if (!res && e != 0 && Pte.isSwap(e)) {
                    // mincore_swap() (mm/mincore.c): a swap entry whose page is in the swap cache is resident
                    res = Reclaim.of(k).swap().lookup(e) >= 0;
                }
                mincore.append(res ? '1' : '0');
                resident += res ? 1 : 0;
                if (e != 0 && Pte.isSwap(e)) {
                    swapped++;
                }
                if (pfn < 0) {
                    continue;
                }
                frames[i] = pfn;
                present++;
                distinct.add(pfn);
                zeros += zero(pfn) ? 1 : 0;
                thp += (k.frames.flags(pfn) & (PageFrames.PG_HEAD | PageFrames.PG_TAIL)) != 0 && !zero(pfn) ? 1 : 0;
                same += old != null && i < old.length && old[i] == pfn ? 1 : 0;
            }
            got.put(prefix + ".mincore_resident", resident);
            if (pages <= 64) {
                got.put(prefix + ".mincore", mincore.toString());
            }
            got.put(prefix + ".pm_present", present);
            got.put(prefix + ".pm_swapped", swapped);
            got.put(prefix + ".pm_zero_page", zeros);
            got.put(prefix + ".pm_thp", thp);
            got.put(prefix + ".pm_distinct_frames", distinct.isEmpty() ? -1 : distinct.size());
            if (old != null) {
                got.put(prefix + ".pm_same_frame_as_saved", same);
            }
            if (save) {
                saved.put(name, frames);
            }
        }

        /** The frame mapping {@code va} through leaf {@code e}, or -1 if none is present. */
        private static int pfn(long e, long va) {
            if (e == 0 || Pte.isSwap(e) || !Pte.present(e)) {
                return -1;
            }
            int pfn = Pte.pfn(e);
            if (Pte.huge(e)) {
                pfn += (int) ((va & (HUGE - 1)) >>> 12);
            }
            return pfn;
        }

        private boolean zero(int pfn) {
            return pfn == k.zeroPfn || (k.hugeZeroPfn >= 0 && pfn >= k.hugeZeroPfn && pfn < k.hugeZeroPfn + Kernel.HPAGE_PMD_NR);
        }

        /**
         * A page of a shmem object (shared anonymous memory): smaps counts it in Rss and Shmem but
         * not in Anonymous, which counts PageAnon pages only; vmsim keeps such pages on the
         * anon_vma of their object.
         */
        private boolean shmem(int head) {
            if (k.frames.test(head, PageFrames.PG_KSM)) {
                return false;
            }
            io.vmsim.core.mm.AnonVma av = k.anonVmas.get(k.frames.mapping(head));
            return av != null && av.shmem() != null;
        }

        private int head(int pfn) {
            return (k.frames.flags(pfn) & PageFrames.PG_TAIL) != 0 ? pfn & ~(Kernel.HPAGE_PMD_NR - 1) : pfn;
        }
    }
}
