package io.vmsim.core.mempolicy.syscall;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mempolicy.Mempolicy;
import io.vmsim.core.mempolicy.MempolicyException;
import io.vmsim.core.mempolicy.PolicyNodes;
import io.vmsim.core.migrate.Migrator;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.MmSyscalls;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * The memory-policy system calls of {@code mm/mempolicy.c} and {@code mm/migrate.c} (Linux 6.18):
 * {@code set_mempolicy()}, {@code mbind()} (with {@code MPOL_MF_MOVE}), {@code migrate_pages()}
 * and {@code move_pages()}. Pages move through {@link Migrator}, which counts
 * {@code pgmigrate_success} and {@code pgmigrate_fail}; {@code numa_pages_migrated} is not
 * counted here, as the kernel counts it only in {@code migrate_misplaced_folio()} (NUMA balancing).
 *
 * <p>Errors are {@link MempolicyException}s with Linux's errno: EINVAL for an unknown mode, an
 * empty (or, for default/local, a non-empty) node mask, a node without memory, an unaligned
 * start; EFAULT for an mbind range with an unmapped hole. Pages that cannot move here: order-0
 * anonymous pages move (see {@link Migrator#movable}); huge pages and page-cache
 * pages stay where they are and are reported as not moved (the kernel would move them); they
 * are counted in {@link #leftInPlace()}, which the run turns into a warning.
 */
public final class MempolicySyscalls {
    /** {@code MPOL_MF_MOVE}: only pages mapped by this process alone. */
    public static final int MPOL_MF_MOVE = 1 << 1;
    /** {@code MPOL_MF_MOVE_ALL}: shared pages too (needs CAP_SYS_NICE; {@code migrate_pages()} as root uses it). */
    public static final int MPOL_MF_MOVE_ALL = 1 << 2;

    private final Kernel k;
    private final MmSyscalls sys;
    private final Migrator migrator;
    /** 4 KiB pages of huge pages and of the page cache left where Linux would have moved them. */
    private long leftInPlace;

    /** What a migrating call did: pages moved, pages that failed to move, pages left (shared, huge, file). */
    public record Moved(long moved, long failed, long skipped) {
    }

    public MempolicySyscalls(Kernel kernel, MmSyscalls syscalls) {
        this.k = kernel;
        this.sys = syscalls;
        this.migrator = new Migrator(kernel);
    }

    /**
     * The 4 KiB pages that {@code mbind}, {@code migrate_pages} and {@code move_pages} left on
     * their node because vmsim migrates order-0 anonymous pages only, where Linux would have
     * moved them: pages of a huge page (transparent or hugetlb) and page-cache pages (shared
     * ones that the call leaves in Linux too are not counted).
     */
    public long leftInPlace() {
        return leftInPlace;
    }

    /** Counts {@code pfn}, which {@link Migrator#movable} refused, if Linux would have moved it. */
    private void notMovable(int pfn) {
        int fl = k.frames.flags(pfn);
        if ((fl & (io.vmsim.core.alloc.PageFrames.PG_HEAD | io.vmsim.core.alloc.PageFrames.PG_TAIL)) != 0
                || (fl & io.vmsim.core.alloc.PageFrames.PG_ANON) == 0) {
            leftInPlace++;
        }
    }

    /** {@code set_mempolicy(mode, nodes)} for {@code task}; {@code weights} parallel to {@code nodes} or empty. */
    public void setMempolicy(Task task, String mode, List<Integer> nodes, List<Integer> weights) {
        task.mempolicy.set(Mempolicy.create(mode, nodes, weights, k.memoryNodes()));
    }

    /**
     * {@code mbind(start, len, mode, nodes, flags)} by {@code task} ({@code do_mbind()}): the areas
     * of the range get the policy (split and merged as {@code mbind_range()} does); with
     * {@code move}, {@code MPOL_MF_MOVE}: pages of the range on a node outside the new policy's
     * nodes and mapped by this process alone move to where the policy would allocate them
     * ({@code alloc_migration_target_by_mpol()}: the interleave index of their address).
     */
    public Moved mbind(Task task, long start, long len, String mode, List<Integer> nodes, List<Integer> weights,
                       boolean move) {
        if ((start & 4095) != 0) {
            throw new MempolicyException("EINVAL", "mbind: start 0x" + Long.toHexString(start) + " is not page aligned");
        }
        len = (len + 4095) & ~4095L;
        long end = start + len;
        if (end < start) {
            throw new MempolicyException("EINVAL", "mbind: the range wraps");
        }
        Mempolicy pol = Mempolicy.create(mode, nodes, weights, k.memoryNodes());
        if (end == start) {
            return new Moved(0, 0, 0);
        }
        Mm mm = task.mm();
        checkNoHole(mm, start, end);
        List<long[]> queued = new ArrayList<>();
        long skipped = 0;
        if (move && pol != null && pol.mode() != Mempolicy.MPOL_LOCAL) {
            // queue_pages_range(nmask, MPOL_MF_INVERT): pages on a node outside the policy's nodes
            long mask = pol.nodes();
            for (long va = start; va < end; va += 4096) {
                int pfn = mappedPage(mm, va);
                if (pfn < 0) {
                    continue;
                }
                if ((mask >>> k.frames.nodeOf(pfn) & 1) != 0) {
                    continue;
                }
                if (k.totalMapcount(pfn) > 1) {
                    skipped++; // migrate_folio_add(): a shared folio stays without MPOL_MF_MOVE_ALL
                    continue;
                }
                if (!migrator.movable(pfn)) {
                    notMovable(pfn);
                    skipped++;
                    continue;
                }
                queued.add(new long[] {va, pfn});
            }
        }
        sys.mbindRange(mm, start, end, pol);
        long moved = 0;
        long failed = 0;
        for (long[] q : queued) {
            long va = q[0];
            int pfn = (int) q[1];
            Vma vma = mm.findVma(va);
            long ilx = PolicyNodes.vmaInterleaveIndex(vma.pgoff(), vma.start(), va, 0);
            int local = k.nodeOfCpu(task.cpu());
            int nid = PolicyNodes.policyNode(pol, task.mempolicy, ilx, local, k.interleaveWeights);
            long nodemask = PolicyNodes.policyNodemask(pol);
            int to = allocTarget(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_RETRY_MAYFAIL, nid, nodemask,
                    pol.mode() == Mempolicy.MPOL_PREFERRED_MANY, task.cpu());
            if (move(pfn, to, task.cpu())) {
                moved++;
            } else {
                failed++;
            }
        }
        return new Moved(moved, failed, skipped);
    }

    /**
     * {@code migrate_pages(pid, from, to)} as root ({@code MPOL_MF_MOVE_ALL}): {@code do_migrate_pages()}
     * pairs each node of {@code from} with the node of {@code to} at the same position
     * ({@code node_remap()}), orders the moves so that a destination is emptied before it is
     * filled, and moves every page of the address space on a source node to its destination
     * ({@code migrate_to_node()}, {@code __GFP_THISNODE}: a full destination fails the page).
     * Returns what moved; the system call returns {@code failed + skipped}.
     */
    public Moved migratePages(Mm mm, List<Integer> from, List<Integer> to, int cpu) {
        long fromMask = mask(from, "migrate_pages: from");
        long toMask = mask(to, "migrate_pages: to");
        if ((toMask & ~k.memoryNodes()) != 0) {
            throw new MempolicyException("EINVAL", "migrate_pages: node(s) " + Mempolicy.describe(toMask & ~k.memoryNodes())
                    + " of 'to' have no memory");
        }
        long moved = 0;
        long failed = 0;
        long skipped = 0;
        long tmp = fromMask;
        while (tmp != 0) {
            int source = -1;
            int dest = 0;
            for (long m = tmp; m != 0; m &= m - 1) {
                int s = Long.numberOfTrailingZeros(m);
                if (Long.bitCount(fromMask) != Long.bitCount(toMask) && (toMask >>> s & 1) != 0) {
                    continue;
                }
                int d = nodeRemap(s, fromMask, toMask);
                if (s == d) {
                    continue;
                }
                source = s;
                dest = d;
                if ((tmp >>> dest & 1) == 0) {
                    break;
                }
            }
            if (source < 0) {
                break;
            }
            tmp &= ~(1L << source);
            Moved r = migrateToNode(mm, source, dest, cpu);
            moved += r.moved;
            failed += r.failed;
            skipped += r.skipped;
        }
        return new Moved(moved, failed, skipped);
    }

    /**
     * {@code move_pages(pid, pages, nodes, MPOL_MF_MOVE)} of every page of {@code [start, end)}
     * to {@code node}: a page already there stays, a page mapped by others stays
     * ({@code -EACCES} in its status), a page that cannot get a frame on the node fails
     * ({@code -ENOMEM}); pages not present are {@code -ENOENT}.
     */
    public Moved movePages(Mm mm, long start, long end, int node, int cpu) {
        if (node < 0 || node >= 64 || (k.memoryNodes() >>> node & 1) == 0) {
            throw new MempolicyException("ENODEV", "move_pages: node " + node + " has no memory");
        }
        long moved = 0;
        long failed = 0;
        long skipped = 0;
        for (long va = start; va < end; va += 4096) {
            int pfn = mappedPage(mm, va);
            if (pfn < 0 || k.frames.nodeOf(pfn) == node) {
                continue;
            }
            if (k.totalMapcount(pfn) > 1) {
                skipped++;
                continue;
            }
            if (!migrator.movable(pfn)) {
                notMovable(pfn);
                skipped++;
                continue;
            }
            int to = allocTarget(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_THISNODE, node, Mempolicy.ALL_NODES, false, cpu);
            if (move(pfn, to, cpu)) {
                moved++;
            } else {
                failed++;
            }
        }
        return new Moved(moved, failed, skipped);
    }

    /** {@code migrate_to_node()}: every page of {@code mm} on {@code source} to {@code dest}. */
    private Moved migrateToNode(Mm mm, int source, int dest, int cpu) {
        long moved = 0;
        long failed = 0;
        long skipped = 0;
        List<Vma> vmas = new ArrayList<>();
        for (Vma v : mm.vmas()) {
            vmas.add(v);
        }
        for (Vma v : vmas) {
            for (long va = v.start(); va < v.end(); va += 4096) {
                int pfn = mappedPage(mm, va);
                if (pfn < 0 || k.frames.nodeOf(pfn) != source) {
                    continue;
                }
                if (!migrator.movable(pfn)) {
                    notMovable(pfn);
                    skipped++;
                    continue;
                }
                int to = allocTarget(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_THISNODE, dest, Mempolicy.ALL_NODES, false, cpu);
                if (move(pfn, to, cpu)) {
                    moved++;
                } else {
                    failed++;
                }
            }
        }
        return new Moved(moved, failed, skipped);
    }

    /** {@code node_remap()}: the node of {@code to} at the position {@code s} has in {@code from}. */
    static int nodeRemap(int s, long from, long to) {
        if ((from >>> s & 1) == 0 || to == 0) {
            return s;
        }
        int n = Long.bitCount(from & ((1L << s) - 1));
        int target = n % Long.bitCount(to);
        long m = to;
        for (int i = 0; i < target; i++) {
            m &= m - 1;
        }
        return Long.numberOfTrailingZeros(m);
    }

    private int allocTarget(int gfp, int nid, long nodemask, boolean preferredMany, int cpu) {
        int pfn;
        if (preferredMany) {
            pfn = k.allocator.allocPages((gfp | Gfp.__GFP_NOWARN) & ~(Gfp.__GFP_DIRECT_RECLAIM | Gfp.__GFP_NOFAIL), 0,
                    cpu, nid, nodemask);
            if (pfn < 0) {
                pfn = k.allocator.allocPages(gfp, 0, cpu, nid, Mempolicy.ALL_NODES);
            }
        } else {
            pfn = k.allocator.allocPages(gfp, 0, cpu, nid, nodemask);
        }
        return pfn;
    }

    /** Moves the page into {@code to}; a failed allocation ({@code to < 0}) counts as a failed migration. */
    private boolean move(int from, int to, int cpu) {
        if (to < 0) {
            k.vmstat.count(VmEvent.PGMIGRATE_FAIL);
            return false;
        }
        if (!migrator.migrate(from, to, cpu)) {
            k.frames.setRefcount(to, 0);
            k.allocator.freePages(to, 0, cpu);
            return false;
        }
        return true;
    }

    /** The order-0 page mapped at {@code va} (not the zero page), or -1. */
    private int mappedPage(Mm mm, long va) {
        long e = k.lookupLeaf(mm, va);
        if (e == 0 || !Pte.present(e)) {
            return -1;
        }
        int pfn = Pte.pfn(e);
        if (Pte.huge(e)) {
            // the page of the huge page at va (within its first 2 MiB): it is not movable here,
            // and the callers count it as left in place
            pfn += (int) ((va >>> 12) & 511);
        }
        if (pfn == k.zeroPfn || k.frames.test(pfn, PageFrames.PG_RESERVED)) {
            return -1;
        }
        return pfn;
    }

    private static void checkNoHole(Mm mm, long start, long end) {
        long at = start;
        while (at < end) {
            Vma v = mm.findVma(at);
            if (v == null) {
                throw new MempolicyException("EFAULT", String.format("mbind: 0x%x is not mapped", at));
            }
            at = v.end();
        }
    }

    private static long mask(List<Integer> nodes, String what) {
        long m = 0;
        for (int n : nodes) {
            if (n < 0 || n >= 64) {
                throw new MempolicyException("EINVAL", what + ": node " + n + " is outside 0..63");
            }
            m |= 1L << n;
        }
        return m;
    }
}
