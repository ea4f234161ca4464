package io.vmsim.core.scenario;

import io.vmsim.core.error.ClosestName;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a scenario from YAML (schema in {@code docs/scenarios.md}). It works on SnakeYAML's
 * node tree rather than on loaded maps so that every error names the line it is about.
 * Processes are referred to by name and VMAs by name within their process; both are resolved
 * to indices in {@link PhaseSpec}.
 *
 * <p>Defaults: process = the first, thread 0, offset 0, length -1 (to the end of the VMA),
 * stride 4096 (64 for memset: one cache line per reference), repeat 1, count -1 (one
 * reference per page of the range, for random and zipf), write fraction 0 unless
 * {@code write: true} (1.0) or {@code write_fraction: x} (memset always writes: 1.0), zipf_s
 * 1.0, VMA align 4096, prot {@code rw}. Fields an op does not use keep these defaults;
 * {@code advice} and {@code prot} are null unless the op uses them.
 *
 * <p>A fork's child is a new process: the k-th fork of the scenario (from 0) creates process
 * index {@code processes().size() + k}, with the parent's VMAs and one thread. Give it a name
 * with {@code child: NAME} to use it in later phases (default {@code PARENT-child}).
 */
public final class ScenarioParser {
    private static final Set<String> TOP_KEYS = keys("name", "description", "config", "files", "cgroups", "processes", "phases");
    private static final Set<String> PROCESS_KEYS = keys("name", "threads", "vmas", "oom_score_adj", "cgroup",
            "cpus_allowed", "bind_cpus", "mempolicy", "memory_merge");
    private static final Set<String> CGROUP_KEYS = keys("name", "memory.max", "memory.high");
    private static final Set<String> VMA_KEYS = keys("name", "size", "align", "prot", "shared", "advice", "hugetlb", "file",
            "mempolicy");
    /** mempolicy (issue 10): the keys of a {@code mempolicy:} mapping. */
    private static final Set<String> MEMPOLICY_KEYS = keys("mode", "nodes", "weights");
    private static final Set<String> FILE_KEYS = keys("name", "size", "fadvise");
    private static final Set<String> PHASE_KEYS = keys("name", "op", "process", "thread", "vma", "offset", "length",
            "stride", "count", "write", "write_fraction", "zipf_s", "repeat", "advice", "prot", "duration_ns", "child",
            "file", "flags", "mode", "nodes", "weights", "move", "from", "to", "node", "phases", "fill", "memory_merge",
            "features", "latency_ns", "bandwidth_mbps", "resolve", "protect");
    /** madvise advice a VMA may be created with. */
    static final List<String> VMA_ADVICE = List.of("hugepage", "nohugepage", "mergeable");
    /** madvise advice a phase may apply (Linux's MADV_* names, lower case). */
    static final List<String> PHASE_ADVICE = List.of("dontneed", "free", "hugepage", "nohugepage", "mergeable",
            "unmergeable", "collapse", "pageout", "cold");
    /** posix_fadvise advice a phase may apply (Linux's POSIX_FADV_* names, lower case). */
    static final List<String> FADVISE_ADVICE = List.of("normal", "random", "sequential", "willneed", "dontneed");
    /** msync flags (MS_SYNC, MS_ASYNC, MS_INVALIDATE). */
    static final List<String> MSYNC_FLAGS = List.of("sync", "async", "invalidate");
    private static final Map<PhaseOp, Set<String>> OP_KEYS = new EnumMap<>(PhaseOp.class);
    /** What a write phase's {@code fill} may say (KSM, issue 11). */
    private static final Pattern FILL = Pattern.compile("zero|unique|random|(same|image):\\d{1,18}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

    static {
        String[] range = {"name", "op", "process", "thread", "vma", "offset", "length"};
        OP_KEYS.put(PhaseOp.SEQUENTIAL, keys(range, "stride", "write", "write_fraction", "repeat", "fill"));
        OP_KEYS.put(PhaseOp.STRIDED, keys(range, "stride", "write", "write_fraction", "repeat", "fill"));
        OP_KEYS.put(PhaseOp.MEMSET, keys(range, "stride", "repeat", "fill"));
        OP_KEYS.put(PhaseOp.RANDOM, keys(range, "count", "write", "write_fraction", "repeat", "fill"));
        OP_KEYS.put(PhaseOp.ZIPF, keys(range, "count", "write", "write_fraction", "zipf_s", "repeat", "fill"));
        OP_KEYS.put(PhaseOp.MADVISE, keys(range, "advice"));
        OP_KEYS.put(PhaseOp.MUNMAP, keys(range));
        OP_KEYS.put(PhaseOp.MPROTECT, keys(range, "prot"));
        OP_KEYS.put(PhaseOp.FORK, keys("name", "op", "process", "thread", "child"));
        OP_KEYS.put(PhaseOp.SLEEP, keys("name", "op", "duration_ns"));
        OP_KEYS.put(PhaseOp.EXIT, keys("name", "op", "process"));
        OP_KEYS.put(PhaseOp.NESTED_WALK, keys("name", "op", "process", "thread", "vma"));
        // THP (issue 5)
        OP_KEYS.put(PhaseOp.KERNEL_ALLOC, keys("name", "op", "process", "thread", "length"));
        OP_KEYS.put(PhaseOp.PUNCH_HOLES, keys(range, "stride"));
        // reclaim (issue 3)
        OP_KEYS.put(PhaseOp.READ, keys("name", "op", "process", "thread", "file", "offset", "length", "stride", "repeat"));
        OP_KEYS.put(PhaseOp.WRITE, keys("name", "op", "process", "thread", "file", "offset", "length", "stride", "repeat"));
        OP_KEYS.put(PhaseOp.MLOCK, keys(range));
        OP_KEYS.put(PhaseOp.STAT, keys("name", "op", "process", "thread", "count"));
        OP_KEYS.put(PhaseOp.FADVISE, keys("name", "op", "process", "thread", "file", "offset", "length", "advice"));
        OP_KEYS.put(PhaseOp.FTRUNCATE, keys("name", "op", "process", "thread", "file", "length"));
        OP_KEYS.put(PhaseOp.FSYNC, keys("name", "op", "process", "thread", "file"));
        OP_KEYS.put(PhaseOp.MSYNC, keys(range, "flags"));
        OP_KEYS.put(PhaseOp.MUNLOCK, keys(range));
        // mempolicy (issue 10)
        OP_KEYS.put(PhaseOp.SET_MEMPOLICY, keys("name", "op", "process", "thread", "mode", "nodes", "weights"));
        OP_KEYS.put(PhaseOp.MBIND, keys(range, "mode", "nodes", "weights", "move"));
        OP_KEYS.put(PhaseOp.MIGRATE_PAGES, keys("name", "op", "process", "thread", "from", "to"));
        OP_KEYS.put(PhaseOp.MOVE_PAGES, keys(range, "node"));
        // NUMA (issue 10)
        OP_KEYS.put(PhaseOp.PARALLEL, keys("name", "op", "phases"));
        // KSM (issue 11)
        OP_KEYS.put(PhaseOp.PRCTL, keys("name", "op", "process", "thread", "memory_merge"));
        // userfaultfd (issue 12)
        OP_KEYS.put(PhaseOp.USERFAULTFD, keys("name", "op", "process", "thread", "features", "latency_ns", "bandwidth_mbps", "resolve"));
        OP_KEYS.put(PhaseOp.UFFD_REGISTER, keys(range, "mode"));
        OP_KEYS.put(PhaseOp.UFFD_UNREGISTER, keys(range));
        OP_KEYS.put(PhaseOp.UFFD_WRITEPROTECT, keys(range, "protect"));
        // live migration (issue 12)
        OP_KEYS.put(PhaseOp.MIGRATE, keys("name", "op", "mode"));
    }

    /** userfaultfd (issue 12): the {@code UFFD_FEATURE_*} names a {@code userfaultfd} phase may ask for, lower case. */
    public static final List<String> UFFD_FEATURES = List.of("pagefault_flag_wp", "event_fork", "event_remap", "event_remove",
            "missing_hugetlbfs", "missing_shmem", "event_unmap", "sigbus", "thread_id", "minor_hugetlbfs", "minor_shmem",
            "exact_address", "wp_hugetlbfs_shmem");
    /** userfaultfd (issue 12): the registration modes. */
    static final List<String> UFFD_MODES = List.of("missing", "wp", "minor");

    /** The modes of a {@code migrate} phase (live migration, issue 12). */
    static final List<String> MIGRATION_MODES = List.of("precopy", "postcopy", "hybrid");

    /** The ops a {@code parallel} phase may run at once (references only). */
    static final Set<PhaseOp> PARALLEL_OPS = Set.of(PhaseOp.SEQUENTIAL, PhaseOp.STRIDED, PhaseOp.MEMSET, PhaseOp.RANDOM,
            PhaseOp.ZIPF);

    private final String file;
    private final String source;
    /** Processes known by name: the declared ones, then fork children. */
    private final Map<String, Proc> procs = new LinkedHashMap<>();
    /** Files by name, in declaration order. */
    private final Map<String, FileSpec> files = new LinkedHashMap<>();
    /** Memory cgroups by name. */
    private final Map<String, CgroupSpec> cgroups = new LinkedHashMap<>();
    private int forks;

    /** What phases need to know of a process while parsing. */
    private static final class Proc {
        final int index;
        final String name;
        final int threads;
        final List<VmaSpec> vmas;
        int exitLine;

        Proc(int index, String name, int threads, List<VmaSpec> vmas) {
            this.index = index;
            this.name = name;
            this.threads = threads;
            this.vmas = vmas;
        }
    }

    private ScenarioParser(String file, String source) {
        this.file = file;
        this.source = source;
    }

    /** Reads a scenario file; its path is the scenario's source and names it in errors. */
    public static Scenario parse(Path path) throws ScenarioException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ScenarioException(null, 0, "scenario file not found: " + path, e);
        } catch (IOException e) {
            throw new ScenarioException(null, 0, "cannot read scenario file " + path + ": " + e.getMessage(), e);
        }
        return parse(new StringReader(text), path.toString(), path.toString());
    }

    /**
     * Reads a scenario.
     *
     * @param file   the name errors give ({@code scenarios/largepages3.yaml})
     * @param source what {@link Scenario#source()} will say ({@code builtin:largepages3})
     */
    public static Scenario parse(Reader yaml, String file, String source) throws ScenarioException {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(yaml);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            throw new ScenarioException(file, m == null ? 0 : m.getLine() + 1,
                    "YAML syntax error: " + problem.replace('\n', ' ').trim(), e);
        } catch (YAMLException e) {
            throw new ScenarioException(file, 0, "YAML error: " + e.getMessage().replace('\n', ' '), e);
        }
        if (root == null) {
            throw new ScenarioException(file, 0, "empty scenario: expected keys " + String.join(", ", TOP_KEYS));
        }
        return new ScenarioParser(file, source).scenario(root);
    }

    private Scenario scenario(Node root) throws ScenarioException {
        Map<String, Node> top = mapping(root, "the scenario", TOP_KEYS);
        String name = top.containsKey("name") ? scalar(top.get("name"), "name") : defaultName();
        String description = top.containsKey("description") ? scalar(top.get("description"), "description").trim() : "";
        Map<String, String> config = new LinkedHashMap<>();
        if (top.containsKey("config")) {
            flattenConfig(top.get("config"), "", config);
        }
        if (top.containsKey("files")) {
            for (Node n : sequence(top.get("files"), "files")) {
                fileSpec(n);
            }
        }
        if (top.containsKey("cgroups")) {
            for (Node n : sequence(top.get("cgroups"), "cgroups")) {
                cgroupSpec(n);
            }
        }
        Node procsNode = require(top, "processes", root, "the scenario");
        List<ProcessSpec> processes = new ArrayList<>();
        for (Node n : sequence(procsNode, "processes")) {
            processes.add(process(n, processes.size()));
        }
        if (processes.isEmpty()) {
            throw error(procsNode, "a scenario needs at least one process");
        }
        Node phasesNode = require(top, "phases", root, "the scenario");
        List<PhaseSpec> phases = new ArrayList<>();
        for (Node n : sequence(phasesNode, "phases")) {
            phases.add(phase(n, phases.size()));
        }
        if (phases.isEmpty()) {
            throw error(phasesNode, "a scenario needs at least one phase");
        }
        return new Scenario(name, description, source, config, processes, phases, List.copyOf(files.values()),
                List.copyOf(cgroups.values()));
    }

    private void cgroupSpec(Node node) throws ScenarioException {
        Map<String, Node> m = mapping(node, "a cgroup", CGROUP_KEYS);
        String name = scalar(require(m, "name", node, "a cgroup"), "a cgroup's name");
        String what = "cgroup '" + name + "'";
        if (cgroups.containsKey(name)) {
            throw error(m.get("name"), what + ": duplicate cgroup name");
        }
        cgroups.put(name, new CgroupSpec(name, limit(m.get("memory.max"), what, "memory.max"),
                limit(m.get("memory.high"), what, "memory.high")));
    }

    /** A cgroup limit: a size, or {@code max} (the default) for none. */
    private long limit(Node node, String what, String key) throws ScenarioException {
        if (node == null || scalar(node, what + ": " + key).trim().equals("max")) {
            return Long.MAX_VALUE;
        }
        long v = size(node, what, key);
        if (v < 4096) {
            throw error(node, what + ": " + key + " must be at least 4K, or max");
        }
        return v;
    }

    private void fileSpec(Node node) throws ScenarioException {
        Map<String, Node> m = mapping(node, "a file", FILE_KEYS);
        String name = scalar(require(m, "name", node, "a file"), "a file's name");
        String what = "file '" + name + "'";
        if (files.containsKey(name)) {
            throw error(m.get("name"), what + ": duplicate file name");
        }
        Node sizeNode = require(m, "size", node, what);
        long size = size(sizeNode, what, "size");
        if (size <= 0 || size % 4096 != 0) {
            throw error(sizeNode, what + ": size " + size + " is not a positive multiple of the 4K page size");
        }
        boolean random = m.containsKey("fadvise")
                && oneOf(m.get("fadvise"), what + ": fadvise", List.of("normal", "random")).equals("random");
        files.put(name, new FileSpec(name, size, random));
    }

    private FileSpec fileRef(Node node, String what) throws ScenarioException {
        String fn = scalar(node, what + ": file");
        FileSpec f = files.get(fn);
        if (f == null) {
            throw error(node, what + ": unknown file '" + fn + "'"
                    + (files.isEmpty() ? "; declare it under 'files:'" : "; expected one of " + String.join(", ", files.keySet())
                    + suggest(fn, files.keySet())));
        }
        return f;
    }

    private int fileIndex(FileSpec f) {
        return new ArrayList<>(files.values()).indexOf(f);
    }

    private String defaultName() {
        String base = Path.of(file).getFileName().toString();
        int dot = base.indexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    private void flattenConfig(Node node, String prefix, Map<String, String> out) throws ScenarioException {
        if (!(node instanceof MappingNode m)) {
            throw error(node, "config: expected a mapping of keys to values, like {vm.swappiness: 60}");
        }
        for (NodeTuple t : m.getValue()) {
            String key = prefix + scalar(t.getKeyNode(), "a config key");
            Node v = t.getValueNode();
            if (v instanceof MappingNode) {
                flattenConfig(v, key + ".", out); // nested YAML maps are dotted keys
            } else if (out.put(key, scalar(v, "config '" + key + "'")) != null) {
                throw error(t.getKeyNode(), "config: duplicate key '" + key + "'");
            }
        }
    }

    private ProcessSpec process(Node node, int index) throws ScenarioException {
        Map<String, Node> m = mapping(node, "a process", PROCESS_KEYS);
        String name = scalar(require(m, "name", node, "a process"), "a process's name");
        String what = "process '" + name + "'";
        if (procs.containsKey(name)) {
            throw error(m.get("name"), what + ": duplicate process name");
        }
        List<Integer> cpus = new ArrayList<>();
        if (m.containsKey("threads")) {
            for (Node t : sequence(m.get("threads"), what + ": threads")) {
                cpus.add((int) integer(t, what + ": threads", 0, 1 << 20));
            }
            if (cpus.isEmpty()) {
                throw error(m.get("threads"), what + ": threads: a process needs at least one thread");
            }
        } else {
            cpus.add(0);
        }
        List<VmaSpec> vmas = new ArrayList<>();
        Set<String> vmaNames = new LinkedHashSet<>();
        if (m.containsKey("vmas")) {
            for (Node v : sequence(m.get("vmas"), what + ": vmas")) {
                VmaSpec vma = vma(v, what);
                if (!vmaNames.add(vma.name())) {
                    throw error(v, what + ": duplicate vma name '" + vma.name() + "'");
                }
                vmas.add(vma);
            }
        }
        int adj = m.containsKey("oom_score_adj") ? (int) integer(m.get("oom_score_adj"), what + ": oom_score_adj", -1000, 1000) : 0;
        String cgroup = null;
        if (m.containsKey("cgroup")) {
            cgroup = scalar(m.get("cgroup"), what + ": cgroup");
            if (!cgroups.containsKey(cgroup)) {
                throw error(m.get("cgroup"), what + ": unknown cgroup '" + cgroup + "'"
                        + (cgroups.isEmpty() ? "; declare it under 'cgroups:'" : "; expected one of "
                        + String.join(", ", cgroups.keySet()) + suggest(cgroup, cgroups.keySet())));
            }
        }
        // NUMA (issue 10): sched_setaffinity() of every thread, or each bound to its node's CPUs
        List<Integer> allowed = m.containsKey("cpus_allowed") ? cpuList(m.get("cpus_allowed"), what + ": cpus_allowed")
                : List.of();
        boolean bindNode = m.containsKey("bind_cpus")
                && oneOf(m.get("bind_cpus"), what + ": bind_cpus", List.of("node", "none")).equals("node");
        if (!allowed.isEmpty()) {
            for (int c : cpus) {
                if (!allowed.contains(c)) {
                    throw error(m.get("threads"), what + ": thread CPU " + c + " is not in cpus_allowed " + allowed);
                }
            }
        }
        MempolicySpec mpol = m.containsKey("mempolicy") ? mempolicy(m.get("mempolicy"), what) : null;
        procs.put(name, new Proc(index, name, cpus.size(), vmas));
        boolean memoryMerge = m.containsKey("memory_merge") && bool(m.get("memory_merge"), what + ": memory_merge");
        return new ProcessSpec(name, cpus, vmas, adj, cgroup, allowed, bindNode, mpol, memoryMerge);
    }

    /** A list of CPUs and ranges, {@code [0-3, 6]}, in increasing order without duplicates. */
    private List<Integer> cpuList(Node node, String what) throws ScenarioException {
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (Node n : sequence(node, what)) {
            String s = scalar(n, what).trim();
            Matcher mt = Pattern.compile("(\\d+)(?:\\s*-\\s*(\\d+))?").matcher(s);
            if (!mt.matches()) {
                throw error(n, what + ": expected a CPU or a range of CPUs like 0-3, got '" + s + "'");
            }
            int lo = (int) Math.min(Long.parseLong(mt.group(1)), 1 << 20);
            int hi = mt.group(2) == null ? lo : (int) Math.min(Long.parseLong(mt.group(2)), 1 << 20);
            if (hi < lo) {
                throw error(n, what + ": range " + s + " ends before it starts");
            }
            for (int c = lo; c <= hi; c++) {
                out.add(c);
            }
        }
        if (out.isEmpty()) {
            throw error(node, what + ": a task needs at least one CPU");
        }
        return new ArrayList<>(out);
    }

    private VmaSpec vma(Node node, String owner) throws ScenarioException {
        Map<String, Node> m = mapping(node, owner + ": a vma", VMA_KEYS);
        String name = scalar(require(m, "name", node, owner + ": a vma"), "a vma's name");
        String what = owner + ": vma '" + name + "'";
        Node sizeNode = require(m, "size", node, what);
        long size = size(sizeNode, what, "size");
        if (size <= 0 || size % 4096 != 0) {
            throw error(sizeNode, what + ": size " + size + " is not a positive multiple of the 4K page size");
        }
        long align = 4096;
        if (m.containsKey("align")) {
            align = size(m.get("align"), what, "align");
            if (align < 4096 || Long.bitCount(align) != 1) {
                throw error(m.get("align"), what + ": align must be a power of two of at least 4K, like 4K, 2M or 1G");
            }
        }
        String prot = m.containsKey("prot") ? prot(m.get("prot"), what) : "rw";
        boolean shared = m.containsKey("shared") && bool(m.get("shared"), what + ": shared");
        List<String> advice = m.containsKey("advice") ? adviceList(m.get("advice"), what) : List.of();
        long hugetlb = 0;
        if (m.containsKey("hugetlb")) {
            // THP (issue 5): MAP_HUGETLB with a page size of 2M or 1G
            hugetlb = size(m.get("hugetlb"), what, "hugetlb");
            if (hugetlb != 2L << 20 && hugetlb != 1L << 30) {
                throw error(m.get("hugetlb"), what + ": hugetlb must be 2M or 1G");
            }
            if (size % hugetlb != 0) {
                throw error(sizeNode, what + ": size " + size + " is not a multiple of the hugetlb page size " + hugetlb);
            }
            align = Math.max(align, hugetlb);
        }
        String file = null;
        if (m.containsKey("file")) {
            FileSpec f = fileRef(m.get("file"), what);
            if (size > f.size()) {
                throw error(sizeNode, what + ": size " + size + " is larger than file '" + f.name() + "' (" + f.size() + " bytes)");
            }
            if (!advice.isEmpty()) {
                throw error(m.get("advice"), what + ": a file mapping takes no advice (file areas use 4K pages)");
            }
            file = f.name();
        }
        MempolicySpec mpol = m.containsKey("mempolicy") ? mempolicy(m.get("mempolicy"), what) : null;
        return new VmaSpec(name, size, align, prot, shared, advice, hugetlb, file, mpol);
    }

    /** mempolicy (issue 10): {@code { mode: M, nodes: [..], weights: [..] }}. */
    private MempolicySpec mempolicy(Node node, String owner) throws ScenarioException {
        String what = owner + ": mempolicy";
        Map<String, Node> m = mapping(node, what, MEMPOLICY_KEYS);
        return mempolicyArgs(m, node, what);
    }

    private MempolicySpec mempolicyArgs(Map<String, Node> m, Node node, String what) throws ScenarioException {
        String mode = oneOf(require(m, "mode", node, what), what + ": mode", io.vmsim.core.mempolicy.Mempolicy.MODE_NAMES);
        List<Integer> nodes = m.containsKey("nodes") ? nodeList(m.get("nodes"), what + ": nodes") : List.of();
        List<Integer> weights = m.containsKey("weights") ? nodeList(m.get("weights"), what + ": weights") : List.of();
        if (!weights.isEmpty() && (!mode.equals("weighted-interleave") || weights.size() != nodes.size())) {
            throw error(m.get("weights"), what + ": weights are for mode weighted-interleave, one per entry of 'nodes'");
        }
        return new MempolicySpec(mode, nodes, weights);
    }

    private List<Integer> nodeList(Node node, String what) throws ScenarioException {
        List<Integer> out = new ArrayList<>();
        for (Node n : sequence(node, what)) {
            out.add((int) integer(n, what, 0, 255));
        }
        return out;
    }

    private List<String> adviceList(Node node, String what) throws ScenarioException {
        List<Node> items = node instanceof SequenceNode s ? s.getValue() : List.of(node);
        List<String> out = new ArrayList<>();
        for (Node n : items) {
            out.add(oneOf(n, what + ": advice", VMA_ADVICE));
        }
        return out;
    }

    private PhaseSpec phase(Node node, int index) throws ScenarioException {
        Map<String, Node> m = mapping(node, "a phase", PHASE_KEYS);
        Node opNode = m.get("op");
        String name = m.containsKey("name") ? scalar(m.get("name"), "a phase's name")
                : opNode != null ? scalar(opNode, "op") + " " + (index + 1) : "phase " + (index + 1);
        String what = "phase '" + name + "'";
        if (opNode == null) {
            throw error(node, what + ": missing key 'op'; expected one of " + opNames());
        }
        PhaseOp op = op(opNode, what);
        for (Map.Entry<String, Node> e : m.entrySet()) {
            if (!OP_KEYS.get(op).contains(e.getKey())) {
                throw error(e.getValue(), what + ": key '" + e.getKey() + "' does not apply to op '" + op.yamlName()
                        + "'; it takes " + String.join(", ", OP_KEYS.get(op)));
            }
        }
        int line = line(node);
        if (op == PhaseOp.PARALLEL) {
            List<PhaseSpec> sub = new ArrayList<>();
            for (Node n : sequence(require(m, "phases", node, what), what + ": phases")) {
                PhaseSpec ps = phase(n, sub.size());
                if (!PARALLEL_OPS.contains(ps.op())) {
                    throw error(n, what + ": op '" + ps.op().yamlName() + "' cannot run in parallel; expected one of "
                            + String.join(", ", PARALLEL_OPS.stream().map(PhaseOp::yamlName).sorted().toList()));
                }
                for (PhaseSpec other : sub) {
                    if (other.process() == ps.process() && other.thread() == ps.thread()) {
                        throw error(n, what + ": phase '" + ps.name() + "' uses the same thread as phase '" + other.name()
                                + "'; each phase of a parallel phase runs on a thread of its own");
                    }
                }
                sub.add(ps);
            }
            if (sub.isEmpty()) {
                throw error(m.get("phases"), what + ": phases: a parallel phase needs at least one phase");
            }
            return new PhaseSpec(name, op, -1, 0, -1, 0, -1, 0, 0, 0, 1.0, 1, null, null, 0, line, -1, sub);
        }

        Proc proc = procs.values().iterator().next();
        if (m.containsKey("process")) {
            String pn = scalar(m.get("process"), what + ": process");
            proc = procs.get(pn);
            if (proc == null) {
                throw error(m.get("process"), what + ": unknown process '" + pn + "'; expected one of "
                        + String.join(", ", procs.keySet()) + suggest(pn, procs.keySet()));
            }
        }
        if (op != PhaseOp.SLEEP && proc.exitLine > 0) {
            throw error(node, what + ": process '" + proc.name + "' has exited (line " + proc.exitLine + ")");
        }
        int thread = 0;
        if (m.containsKey("thread")) {
            thread = (int) integer(m.get("thread"), what + ": thread", 0, proc.threads - 1);
        }

        int vma = -1;
        boolean needsVma = switch (op) {
            case FORK, SLEEP, EXIT, NESTED_WALK, KERNEL_ALLOC, READ, WRITE, STAT, FADVISE, FTRUNCATE, FSYNC,
                    SET_MEMPOLICY, MIGRATE_PAGES, PRCTL, USERFAULTFD, MIGRATE -> false;
            default -> true;
        };
        if (m.containsKey("vma")) {
            String vn = scalar(m.get("vma"), what + ": vma");
            for (int i = 0; i < proc.vmas.size(); i++) {
                if (proc.vmas.get(i).name().equals(vn)) {
                    vma = i;
                }
            }
            if (vma < 0) {
                List<String> names = proc.vmas.stream().map(VmaSpec::name).toList();
                throw error(m.get("vma"), what + ": process '" + proc.name + "' has no vma '" + vn + "'"
                        + (names.isEmpty() ? "" : "; expected one of " + String.join(", ", names) + suggest(vn, names)));
            }
        } else if (needsVma) {
            throw error(node, what + ": op '" + op.yamlName() + "' needs a 'vma'");
        }

        long offset = m.containsKey("offset") ? size(m.get("offset"), what, "offset") : 0;
        long length = m.containsKey("length") ? size(m.get("length"), what, "length") : -1;
        int file = -1;
        if (op == PhaseOp.FTRUNCATE || op == PhaseOp.FSYNC) {
            file = fileIndex(fileRef(require(m, "file", node, what), what));
            if (op == PhaseOp.FTRUNCATE) {
                length = size(require(m, "length", node, what), what, "length"); // the new size
            }
        }
        if (op == PhaseOp.READ || op == PhaseOp.WRITE || op == PhaseOp.FADVISE) {
            FileSpec f = fileRef(require(m, "file", node, what), what);
            file = fileIndex(f);
            if (offset >= f.size() || (length >= 0 && offset + length > f.size()) || length == 0) {
                throw error(m.containsKey("length") ? m.get("length") : m.getOrDefault("offset", node), what + ": range ["
                        + offset + ", " + (length < 0 ? "end" : String.valueOf(offset + length)) + ") is not a non-empty part of file '"
                        + f.name() + "' of " + f.size() + " bytes");
            }
        }
        if (vma >= 0) {
            long vmaSize = proc.vmas.get(vma).size();
            if (offset >= vmaSize || (length >= 0 && offset + length > vmaSize)) {
                throw error(m.containsKey("length") ? m.get("length") : m.get("offset"), what + ": range [" + offset + ", "
                        + (length < 0 ? "end" : String.valueOf(offset + length)) + ") is outside vma '"
                        + proc.vmas.get(vma).name() + "' of " + vmaSize + " bytes");
            }
            if (length == 0) {
                throw error(m.get("length"), what + ": length must be positive");
            }
        }
        if (op == PhaseOp.KERNEL_ALLOC && (length <= 0 || length % 4096 != 0)) {
            throw error(m.getOrDefault("length", node), what + ": kernel_alloc needs a 'length' that is a positive multiple of 4K");
        }
        long stride = op == PhaseOp.MEMSET ? 64 : 4096;
        if (m.containsKey("stride")) {
            stride = size(m.get("stride"), what, "stride");
            if (stride <= 0) {
                throw error(m.get("stride"), what + ": stride must be positive");
            }
        }
        long count = op == PhaseOp.RANDOM || op == PhaseOp.ZIPF ? -1 : 0;
        if (m.containsKey("count")) {
            count = integer(m.get("count"), what + ": count", 1, Long.MAX_VALUE);
        } else if (op == PhaseOp.STAT) {
            throw error(node, what + ": op 'stat' needs a 'count'");
        }
        double writeFraction = op == PhaseOp.MEMSET ? 1.0 : 0.0;
        if (m.containsKey("write") && m.containsKey("write_fraction")) {
            throw error(m.get("write_fraction"), what + ": give either 'write' or 'write_fraction', not both");
        }
        if (m.containsKey("write")) {
            writeFraction = bool(m.get("write"), what + ": write") ? 1.0 : 0.0;
        } else if (m.containsKey("write_fraction")) {
            writeFraction = real(m.get("write_fraction"), what + ": write_fraction", 0, 1);
        }
        double zipfS = m.containsKey("zipf_s") ? real(m.get("zipf_s"), what + ": zipf_s", 1e-9, 100) : 1.0;
        int repeat = m.containsKey("repeat") ? (int) integer(m.get("repeat"), what + ": repeat", 1, Integer.MAX_VALUE) : 1;
        String advice = null;
        if (op == PhaseOp.MADVISE) {
            advice = oneOf(require(m, "advice", node, what), what + ": advice", PHASE_ADVICE);
        }
        if (op == PhaseOp.FADVISE) {
            advice = oneOf(require(m, "advice", node, what), what + ": advice", FADVISE_ADVICE);
        }
        if (op == PhaseOp.MSYNC) {
            advice = m.containsKey("flags") ? scalar(m.get("flags"), what + ": flags") : "sync";
            for (String fl : advice.split("\\|")) {
                if (!MSYNC_FLAGS.contains(fl)) {
                    throw error(m.get("flags"), what + ": msync flag '" + fl + "'; expected " + String.join(", ", MSYNC_FLAGS)
                            + " joined by |");
                }
            }
        }
        if (op == PhaseOp.MIGRATE) {
            advice = oneOf(require(m, "mode", node, what), what + ": mode", MIGRATION_MODES); // live migration (issue 12)
        }
        if (op == PhaseOp.PRCTL) {
            advice = bool(require(m, "memory_merge", node, what), what + ": memory_merge") ? "memory_merge=1" : "memory_merge=0";
        }
        if (op == PhaseOp.USERFAULTFD) { // userfaultfd (issue 12): its arguments, canonically, in 'advice'
            List<String> features = new ArrayList<>();
            if (m.containsKey("features")) {
                Node fn = m.get("features");
                for (Node n : fn instanceof SequenceNode sq ? sq.getValue() : List.of(fn)) {
                    features.add(oneOf(n, what + ": features", UFFD_FEATURES));
                }
            }
            long latency = m.containsKey("latency_ns") ? integer(m.get("latency_ns"), what + ": latency_ns", 0, Long.MAX_VALUE / 4) : 0;
            long bandwidth = m.containsKey("bandwidth_mbps")
                    ? integer(m.get("bandwidth_mbps"), what + ": bandwidth_mbps", 0, 1_000_000_000) : 0;
            String resolve = m.containsKey("resolve") ? oneOf(m.get("resolve"), what + ": resolve", List.of("copy", "zeropage")) : "copy";
            advice = "features=" + String.join("|", features) + ";latency_ns=" + latency + ";bandwidth_mbps=" + bandwidth
                    + ";resolve=" + resolve;
        }
        if (op == PhaseOp.UFFD_REGISTER) {
            advice = scalar(require(m, "mode", node, what), what + ": mode");
            for (String md : advice.split("\\|")) {
                if (!UFFD_MODES.contains(md)) {
                    throw error(m.get("mode"), what + ": userfaultfd mode '" + md + "'; expected " + String.join(", ", UFFD_MODES)
                            + " joined by |" + suggest(md, UFFD_MODES));
                }
            }
        }
        if (op == PhaseOp.UFFD_WRITEPROTECT) {
            advice = bool(require(m, "protect", node, what), what + ": protect") ? "protect" : "unprotect";
        }
        String fill = null;
        if (m.containsKey("fill")) {
            fill = scalar(m.get("fill"), what + ": fill").trim();
            if (!FILL.matcher(fill).matches()) {
                throw error(m.get("fill"), what + ": fill '" + fill + "'; expected zero, unique, random, same:K or image:K (K a whole number)");
            }
            if (writeFraction == 0) {
                throw error(m.get("fill"), what + ": fill applies to writes; give 'write: true' or a 'write_fraction'");
            }
        }
        String prot = null;
        if (op == PhaseOp.MPROTECT) {
            prot = prot(require(m, "prot", node, what), what);
        }
        long durationNs = 0;
        if (op == PhaseOp.SLEEP) {
            durationNs = integer(require(m, "duration_ns", node, what), what + ": duration_ns", 0, Long.MAX_VALUE);
        }
        if (op == PhaseOp.FORK) {
            String child = m.containsKey("child") ? scalar(m.get("child"), what + ": child") : proc.name + "-child";
            if (procs.containsKey(child)) {
                throw error(m.getOrDefault("child", node), what + ": a process named '" + child
                        + "' already exists; name the child with 'child: NAME'");
            }
            int childIndex = countDeclared() + forks++;
            procs.put(child, new Proc(childIndex, child, 1, proc.vmas));
        }
        if (op == PhaseOp.EXIT) {
            proc.exitLine = line;
        }
        NumaOpSpec numa = null;
        switch (op) {
            case SET_MEMPOLICY, MBIND -> numa = new NumaOpSpec(mempolicyArgs(m, node, what),
                    m.containsKey("move") && bool(m.get("move"), what + ": move"), List.of(), List.of(), -1);
            case MIGRATE_PAGES -> numa = new NumaOpSpec(null, false, nodeList(require(m, "from", node, what), what + ": from"),
                    nodeList(require(m, "to", node, what), what + ": to"), -1);
            case MOVE_PAGES -> numa = new NumaOpSpec(null, false, List.of(), List.of(),
                    (int) integer(require(m, "node", node, what), what + ": node", 0, 63));
            default -> {
            }
        }
        return new PhaseSpec(name, op, proc.index, thread, vma, offset, length, stride, count, writeFraction, zipfS,
                repeat, advice, prot, durationNs, line, file, numa, op == PhaseOp.SET_MEMPOLICY && !m.containsKey("thread"),
                List.of(), fill);
    }

    private int countDeclared() {
        return procs.size() - forks;
    }

    private PhaseOp op(Node node, String what) throws ScenarioException {
        String s = scalar(node, what + ": op");
        for (PhaseOp op : PhaseOp.values()) {
            if (op.yamlName().equals(s)) {
                return op;
            }
        }
        List<String> names = Arrays.stream(PhaseOp.values()).map(PhaseOp::yamlName).toList();
        throw error(node, what + ": unknown op '" + s + "'; expected one of " + opNames() + suggest(s, names));
    }

    private static String opNames() {
        return String.join(", ", Arrays.stream(PhaseOp.values()).map(PhaseOp::yamlName).toList());
    }

    // ---- typed scalars ----

    private String prot(Node node, String what) throws ScenarioException {
        String s = scalar(node, what + ": prot").toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return ""; // PROT_NONE: the empty subset of rwx
        }
        StringBuilder out = new StringBuilder();
        for (char c : "rwx".toCharArray()) {
            if (s.indexOf(c) >= 0) {
                out.append(c);
            }
        }
        if (s.isEmpty() || s.chars().anyMatch(c -> "rwx".indexOf(c) < 0) || out.length() != s.length()) {
            throw error(node, what + ": bad prot '" + s + "'; expected letters of rwx (like r, rw, rwx) or none");
        }
        return out.toString();
    }

    private long size(Node node, String what, String key) throws ScenarioException {
        String s = scalar(node, what + ": " + key).trim();
        Matcher mt = SIZE.matcher(s);
        if (mt.matches()) {
            try {
                long n = Long.parseLong(mt.group(1));
                int shift = switch (mt.group(2).toLowerCase(Locale.ROOT)) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    case "t" -> 40;
                    default -> 0;
                };
                if (n <= (Long.MAX_VALUE >> shift)) {
                    return n << shift;
                }
            } catch (NumberFormatException e) {
                // too many digits: reported below
            }
        }
        throw error(node, what + ": bad size '" + s + "' for '" + key + "'; expected bytes like 4096, 64K, 2M or 3G");
    }

    private long integer(Node node, String what, long min, long max) throws ScenarioException {
        String s = scalar(node, what).trim().replace("_", "");
        try {
            long v = Long.parseLong(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(node, what + ": expected an integer from " + min + " to " + (max == Long.MAX_VALUE ? "2^63-1" : max)
                + ", got '" + s + "'");
    }

    private double real(Node node, String what, double min, double max) throws ScenarioException {
        String s = scalar(node, what).trim();
        try {
            double v = Double.parseDouble(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error(node, what + ": expected a number from " + min + " to " + max + ", got '" + s + "'");
    }

    private boolean bool(Node node, String what) throws ScenarioException {
        String s = scalar(node, what).trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(node, what + ": expected true or false, got '" + s + "'");
        };
    }

    private String oneOf(Node node, String what, List<String> allowed) throws ScenarioException {
        String s = scalar(node, what).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(s)) {
            throw error(node, what + ": unknown value '" + s + "'; expected one of " + String.join(", ", allowed)
                    + suggest(s, allowed));
        }
        return s;
    }

    // ---- structure ----

    private Map<String, Node> mapping(Node node, String what, Set<String> allowed) throws ScenarioException {
        if (!(node instanceof MappingNode m)) {
            throw error(node, what + ": expected a mapping with keys " + String.join(", ", allowed));
        }
        Map<String, Node> out = new LinkedHashMap<>();
        Map<String, Node> keyNodes = new HashMap<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode(), what + ": a key");
            if (!allowed.contains(key)) {
                throw error(t.getKeyNode(), what + ": unknown key '" + key + "'; expected one of "
                        + String.join(", ", allowed) + suggest(key, allowed));
            }
            if (keyNodes.put(key, t.getKeyNode()) != null) {
                throw error(t.getKeyNode(), what + ": duplicate key '" + key + "'");
            }
            out.put(key, t.getValueNode());
        }
        return out;
    }

    private Node require(Map<String, Node> m, String key, Node owner, String what) throws ScenarioException {
        Node n = m.get(key);
        if (n == null) {
            throw error(owner, what + ": missing key '" + key + "'");
        }
        return n;
    }

    private List<Node> sequence(Node node, String what) throws ScenarioException {
        if (!(node instanceof SequenceNode s)) {
            throw error(node, what + ": expected a list");
        }
        return s.getValue();
    }

    private String scalar(Node node, String what) throws ScenarioException {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, what + ": expected a single value, not a " + (node instanceof MappingNode ? "mapping" : "list"));
        }
        return s.getValue();
    }

    private static String suggest(String name, java.util.Collection<String> candidates) {
        String near = ClosestName.among(name, candidates).orElse(null);
        return near == null ? "" : " (did you mean '" + near + "'?)";
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private ScenarioException error(Node node, String message) {
        return new ScenarioException(file, line(node), message);
    }

    private static Set<String> keys(String... names) {
        return new LinkedHashSet<>(List.of(names));
    }

    private static Set<String> keys(String[] base, String... more) {
        Set<String> s = keys(base);
        s.addAll(List.of(more));
        return s;
    }
}
