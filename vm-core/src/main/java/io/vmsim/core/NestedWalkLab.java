package io.vmsim.core;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageAllocator;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.mmu.CpuProfile;
import io.vmsim.core.mmu.Mmu;
import io.vmsim.core.mmu.NestedWalk;
import io.vmsim.core.pgtable.PageTables;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.pgtable.TableBuilder;
import io.vmsim.core.report.RunResult;
import io.vmsim.core.time.CostModel;
import io.vmsim.core.time.SimClock;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Measures memory references per TLB miss with cold TLBs and page-walk caches, for a native
 * process and for a guest under EPT/NPT, with 4- and 5-level tables and every page size.
 *
 * <p>Each measurement builds real worlds: a guest with its own physical memory, buddy allocator
 * and page tables maps one data page of the size under test; the native row walks that tree with
 * the simulator's MMU; a nested row adds a host with its own memory whose EPT maps, at the host
 * page size under test, every guest-physical page the walk touches (as KVM populates EPT on
 * EPT violations), then walks both trees with {@link NestedWalk}. A guest 1 GiB page is a
 * gigantic page reserved from a fully free, aligned gigabyte, as hugetlb does at boot.
 */
final class NestedWalkLab {
    private static final long GUEST_MEMORY = 3L << 30;
    private static final long HOST_MEMORY = 512L << 20;
    /** An address whose index differs at every level, valid with 4 and 5 levels. */
    private static final long GVA = 0x0000_7f5a_7c6d_e123L;
    private static final long LEAF_BITS = Pte.PRESENT | Pte.RW | Pte.USER;
    private static final String[] SIZES = {"4K", "2M", "1G"};

    private final CoreConfig config;
    private final CostModel cost;

    NestedWalkLab(CoreConfig config, CostModel cost) {
        this.config = config;
        this.cost = cost;
    }

    /** Rows for 4 and 5 levels: native 4K/2M/1G, then nested guest x host for host 4K and 2M. */
    List<RunResult.NestedWalkRow> measure() {
        List<RunResult.NestedWalkRow> rows = new ArrayList<>();
        for (int levels = 4; levels <= 5; levels++) {
            for (int g = 0; g < SIZES.length; g++) {
                Guest guest = new Guest(levels, g + 1);
                rows.add(new RunResult.NestedWalkRow("native", levels, SIZES[g], null, guest.nativeRefs()));
            }
            for (int g = 0; g < SIZES.length; g++) {
                for (int h = 0; h < 2; h++) {
                    Guest guest = new Guest(levels, g + 1);
                    rows.add(new RunResult.NestedWalkRow("nested", levels, SIZES[g], SIZES[h], guest.nestedRefs(h + 1)));
                }
            }
        }
        return rows;
    }

    private static PageAllocator allocator(PageFrames frames) {
        return new PageAllocator(frames, 1, -1, 10, 63);
    }

    /** A guest with one data page of the given leaf level mapped at {@link #GVA}. */
    private final class Guest {
        final int levels;
        final int leafLevel;
        final PageFrames frames = new PageFrames((int) (GUEST_MEMORY >>> 12), new int[] {0});
        final PageAllocator alloc = allocator(frames);
        final PageTables tables = new PageTables(frames, alloc);
        final int root;
        final int dataPfn;

        Guest(int levels, int leafLevel) {
            this.levels = levels;
            this.leafLevel = leafLevel;
            TableBuilder b = new TableBuilder(tables, levels);
            root = b.newRoot(0, 0);
            dataPfn = switch (leafLevel) {
                case 1 -> alloc.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, 0, 0);
                case 2 -> alloc.allocPages(Gfp.GFP_TRANSHUGE | Gfp.__GFP_COMP, 9, 0, 0);
                default -> reserveGigantic(alloc, frames);
            };
            if (dataPfn < 0) {
                throw new IllegalStateException("guest could not allocate its data page");
            }
            b.map(root, GVA, dataPfn, leafLevel, LEAF_BITS, 0, 0);
        }

        long nativeRefs() {
            CpuProfile profile = CpuProfile.byName(config.getString(CoreKeys.CPU_PROFILE));
            Mmu mmu = new Mmu(profile, false, tables, levels, new SimClock(), cost);
            int pfn = mmu.translate(1, root, GVA, false);
            long expected = dataPfn + ((GVA & (Pte.span(leafLevel) - 1)) >>> 12);
            if (pfn != expected) {
                throw new IllegalStateException("native walk translated to frame " + pfn + ", expected " + expected);
            }
            return mmu.walkRefs;
        }

        long nestedRefs(int hostLeafLevel) {
            PageFrames hostFrames = new PageFrames((int) (HOST_MEMORY >>> 12), new int[] {0});
            PageAllocator hostAlloc = allocator(hostFrames);
            PageTables hostTables = new PageTables(hostFrames, hostAlloc);
            TableBuilder ept = new TableBuilder(hostTables, levels);
            int eptRoot = ept.newRoot(0, 0);
            long span = Pte.span(hostLeafLevel);
            Set<Long> mapped = new LinkedHashSet<>();
            long dataHostBase = -1;
            for (long gpa : touchedGuestPhysical()) {
                long region = gpa & -span;
                if (!mapped.add(region)) {
                    continue;
                }
                int hpfn = hostLeafLevel == 1
                        ? hostAlloc.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, 0, 0)
                        : hostAlloc.allocPages(Gfp.GFP_TRANSHUGE | Gfp.__GFP_COMP, 9, 0, 0);
                if (hpfn < 0) {
                    throw new IllegalStateException("host could not back guest memory");
                }
                ept.map(eptRoot, region, hpfn, hostLeafLevel, LEAF_BITS, 0, 0);
                if (region == (dataGpa() & -span)) {
                    dataHostBase = hpfn;
                }
            }
            NestedWalk walk = new NestedWalk(tables, levels, hostTables, levels, eptRoot);
            long refs = walk.walkRefs(root, GVA);
            long expected = dataHostBase + ((dataGpa() & (span - 1)) >>> 12);
            if (walk.lastHostPfn() != expected) {
                throw new IllegalStateException("nested walk reached host frame " + walk.lastHostPfn() + ", expected " + expected);
            }
            return refs;
        }

        private long dataGpa() {
            return ((long) dataPfn << 12) + (GVA & (Pte.span(leafLevel) - 1));
        }

        /** Guest-physical addresses of every table entry on the walk path, then of the data. */
        private List<Long> touchedGuestPhysical() {
            List<Long> out = new ArrayList<>();
            int table = root;
            for (int level = levels; level >= leafLevel; level--) {
                int idx = Pte.index(GVA, level);
                out.add(((long) table << 12) + idx * 8L);
                long e = tables.table(table)[idx];
                if (level == leafLevel) {
                    break;
                }
                table = Pte.pfn(e);
            }
            out.add(dataGpa());
            return out;
        }
    }

    /**
     * Takes a whole, 1 GiB-aligned gigabyte from the buddy allocator: allocates every free
     * MAX_ORDER block, keeps the first aligned gigabyte fully obtained, and frees the rest.
     * Returns its first frame, or -1.
     */
    static int reserveGigantic(PageAllocator alloc, PageFrames frames) {
        final int order = 10;
        final int blocksPerGig = 1 << (18 - order);
        List<Integer> got = new ArrayList<>();
        BitSet blocks = new BitSet();
        for (int p; (p = alloc.allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY, order, 0, 0)) >= 0; ) {
            got.add(p);
            blocks.set(p >>> order);
        }
        int chosen = -1;
        for (int g = 0; (long) (g + 1) << 18 <= frames.nrFrames(); g++) {
            if (blocks.get(g * blocksPerGig, (g + 1) * blocksPerGig).cardinality() == blocksPerGig) {
                chosen = g << 18;
                break;
            }
        }
        for (int p : got) {
            if (chosen < 0 || p < chosen || p >= chosen + (1 << 18)) {
                frames.setRefcount(p, 0);
                alloc.freePages(p, order, 0);
            }
        }
        return chosen;
    }
}
