package io.vmsim.core;

import io.vmsim.core.debug.InvariantChecker;
import io.vmsim.core.mempolicy.MempolicyException;
import io.vmsim.core.mempolicy.syscall.MempolicySyscalls;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of mbind (with and without MPOL_MF_MOVE), set_mempolicy, migrate_pages,
 * move_pages, fork, munmap and reclaim (MADV_PAGEOUT to swap) on a three-node machine, processes
 * in two memory cgroups. After every step the machine's own {@code CONFIG_DEBUG_VM} checker
 * ({@link InvariantChecker}: frames, page tables, rmap, LRU, memcg charges, swap) must find
 * nothing, and the anonymous pages resident on each node must equal a brute-force count: every
 * distinct frame mapped by a present PTE of a live address space or held in the swap cache,
 * by its node.
 */
final class MempolicyProperties {
    private static final long PAGE = 4096;
    private static final int NODES = 3;

    @Test
    void randomPolicyAndMigrationSequences_keepPerNodeCountsRmapAndChargesConsistent() {
        long migrated = 0;
        long swappedOut = 0;
        for (long seed = 1; seed <= 6; seed++) {
            Machine m = runSequence(seed, 120);
            migrated += m.vmstat().getOrDefault("pgmigrate_success", 0L);
            swappedOut += m.vmstat().getOrDefault("pswpout", 0L);
        }
        // the sequences did move pages between nodes and reclaim them
        assertThat(migrated).isPositive();
        assertThat(swappedOut).isPositive();
    }

    private static Machine runSequence(long seed, int steps) {
        Machine m = Machine.create(TestConfig.of("machine.nodes", String.valueOf(NODES), "machine.cpus", "3",
                "machine.memory", "96M", "swap.size", "64M", "mm.transparent_hugepage.enabled", "never",
                "vm.overcommit_memory", "1"), new TestCatalog());
        Reclaim reclaim = Reclaim.of(m.kernel());
        int[] cgroups = {0, reclaim.createCgroup("a", 1L << 40, 1L << 40)};
        MempolicySyscalls mp = new MempolicySyscalls(m.kernel(), m.syscalls());
        InvariantChecker checker = new InvariantChecker(m.kernel(), List.of(), 0);
        Random rnd = new Random(seed);
        List<SimProcess> procs = new ArrayList<>();
        List<Long> bases = new ArrayList<>();
        final long len = 256 * PAGE;
        for (int i = 0; i < 2; i++) {
            SimProcess p = m.spawn("p" + i, List.of(i));
            p.mm().memcg = cgroups[i];
            procs.add(p);
            bases.add(m.syscalls().mmapAnon(p.mm(), 0, len, "rw", false, PAGE));
        }
        String[] modes = {"default", "local", "bind", "preferred", "preferred-many", "interleave", "weighted-interleave"};
        for (int step = 0; step < steps; step++) {
            int pi = rnd.nextInt(procs.size());
            SimProcess p = procs.get(pi);
            Task t = p.threads().get(0);
            long base = bases.get(pi);
            long off = rnd.nextInt(256) * PAGE;
            long n = Math.min(len - off, (1 + rnd.nextInt(64)) * PAGE);
            String what;
            try {
                switch (rnd.nextInt(9)) {
                    case 0, 1 -> {
                        what = "touch";
                        for (long va = base + off; va < base + off + n; va += PAGE) {
                            if (p.mm().findVma(va) != null) {
                                m.access(t, va, rnd.nextBoolean());
                            }
                        }
                    }
                    case 2 -> {
                        String mode = modes[rnd.nextInt(modes.length)];
                        what = "mbind " + mode;
                        mp.mbind(t, base + off, n, mode, nodesFor(mode, rnd), List.of(), rnd.nextBoolean());
                    }
                    case 3 -> {
                        String mode = modes[rnd.nextInt(modes.length)];
                        what = "set_mempolicy " + mode;
                        mp.setMempolicy(t, mode, nodesFor(mode, rnd), List.of());
                    }
                    case 4 -> {
                        int from = rnd.nextInt(NODES);
                        int to = (from + 1 + rnd.nextInt(NODES - 1)) % NODES;
                        what = "migrate_pages " + from + "->" + to;
                        mp.migratePages(p.mm(), List.of(from), List.of(to), t.cpu());
                    }
                    case 5 -> {
                        what = "move_pages";
                        mp.movePages(p.mm(), base + off, base + off + n, rnd.nextInt(NODES), t.cpu());
                    }
                    case 6 -> {
                        what = "munmap";
                        m.syscalls().munmap(p.mm(), base + off, n, t.cpu());
                    }
                    case 7 -> {
                        what = "pageout";
                        m.syscalls().madvise(p.mm(), base + off, n, "pageout", t.cpu());
                    }
                    default -> {
                        if (procs.size() < 5) {
                            what = "fork";
                            procs.add(m.fork(p, 0));
                            bases.add(base);
                        } else {
                            what = "touch after fork limit";
                            m.access(t, base, true);
                        }
                    }
                }
            } catch (MempolicyException e) {
                what = "refused (" + e.getMessage() + ")";
            } catch (io.vmsim.core.mm.SyscallError e) {
                what = "refused (" + e.getMessage() + ")"; // ENOMEM: madvise over an unmapped hole
            }
            String where = "seed " + seed + " step " + step + " " + what;
            checker.check(where);
            long[] expected = bruteForceResident(m);
            long[] reported = residentAnon(m);
            assertThat(reported).as(where).containsExactly(expected);
        }
        return m;
    }

    private static List<Integer> nodesFor(String mode, Random rnd) {
        if (mode.equals("default") || mode.equals("local")) {
            return List.of();
        }
        List<Integer> nodes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            if (rnd.nextBoolean()) {
                nodes.add(n);
            }
        }
        if (nodes.isEmpty()) {
            nodes.add(rnd.nextInt(NODES));
        }
        return nodes;
    }

    /** Distinct anonymous frames mapped by a present PTE of a live mm, or in the swap cache, per node. */
    private static long[] bruteForceResident(Machine m) {
        var k = m.kernel();
        Set<Integer> frames = new HashSet<>();
        for (Mm mm : k.mms()) {
            if (mm.pgd() < 0) {
                continue;
            }
            for (Vma v : mm.vmas()) {
                for (long va = v.start(); va < v.end(); va += PAGE) {
                    long e = k.lookupLeaf(mm, va);
                    if (Pte.present(e) && !Pte.isSwap(e)) {
                        frames.add(Pte.pfn(e));
                    }
                }
            }
        }
        for (int pfn = 0; pfn < k.frames.nrFrames(); pfn++) {
            if (k.frames.test(pfn, io.vmsim.core.alloc.PageFrames.PG_SWAPCACHE)) {
                frames.add(pfn);
            }
        }
        long[] out = new long[NODES];
        for (int pfn : frames) {
            if (pfn != k.zeroPfn) {
                out[k.frames.nodeOf(pfn)]++;
            }
        }
        return out;
    }

    /** The run report's anonymous pages per node ({@code numa.nodes[].anon_pages}). */
    private static long[] residentAnon(Machine m) {
        List<io.vmsim.core.report.RunResult.NumaNode> nodes = Reports.numa(m);
        long[] out = new long[NODES];
        for (var n : nodes) {
            out[n.node()] = n.anonPages();
        }
        return out;
    }
}
