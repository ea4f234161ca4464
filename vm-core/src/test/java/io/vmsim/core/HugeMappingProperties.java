package io.vmsim.core;

import io.vmsim.core.alloc.CompactionHooks;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.vmsim.core.SplitTest.frameOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Splits never fail and never lose data: random munmap, mprotect, MADV_DONTNEED and
 * MADV_COLLAPSE on THP-backed memory, with deferred splits, folio splits, compaction and
 * khugepaged in between, keep every written page on a frame that holds its contents (a tag per
 * frame that follows migrations and collapse copies), keep refcounts equal to the mappings,
 * and give every frame back at exit.
 */
final class HugeMappingProperties {
    private static final long HP = Kernel.HPAGE_PMD_SIZE;
    private static final int PAGES = 4096;

    @Property(tries = 60)
    void randomOpsOnHugeMappings_keepEveryPageAndFrameConsistent(@ForAll long seed,
                                                                 @ForAll @IntRange(min = 1, max = 30) int nOps) {
        SplittableRandom rng = new SplittableRandom(seed);
        Machine m = SplitTest.machine("machine.memory", "64M", "mm.transparent_hugepage.defrag", "always");
        Kernel k = m.kernel();
        long free0 = k.allocator.freePages();
        SimProcess p = m.spawn("prop", List.of(0));
        Task t = p.threads().get(0);
        Mm mm = p.mm();
        long base = m.syscalls().mmapAnon(mm, 0, (long) PAGES * 4096, "rw", false, HP);
        Map<Long, Long> expected = new HashMap<>();
        Map<Integer, Long> frameTag = new HashMap<>();
        Migrator mover = (from, to) -> {
            Long tag = frameTag.remove(from);
            if (tag != null) {
                frameTag.put(to, tag);
            }
        };
        m.thp().migrator().setListener(mover::moved);
        m.thp().khugepaged().setCopyListener(mover::moved);
        long[] nextTag = {1};
        for (int op = 0; op < nOps; op++) {
            long start = base + rng.nextInt(PAGES) * 4096L;
            long len = Math.min(base + PAGES * 4096L - start, (1 + rng.nextInt(1024)) * 4096L);
            switch (rng.nextInt(9)) {
                case 0, 1 -> {
                    for (int i = 0; i < 40; i++) {
                        long va = base + rng.nextInt(PAGES) * 4096L;
                        if (mm.findVma(va) == null) {
                            continue;
                        }
                        m.access(t, va, true);
                        int pfn = frameOf(m, p, va);
                        Long tag = expected.get(va);
                        if (tag == null) {
                            expected.put(va, nextTag[0]);
                            frameTag.put(pfn, nextTag[0]++);
                        } else {
                            assertThat(frameTag.get(pfn)).as("contents of 0x%x", va).isEqualTo(tag);
                        }
                    }
                }
                case 2 -> {
                    m.syscalls().munmap(mm, start, len, 0);
                    forget(expected, start, len);
                }
                case 3 -> {
                    try {
                        m.syscalls().mprotect(mm, start, len, "r");
                    } catch (io.vmsim.core.mm.WorkloadException enomem) {
                        // the range met unmapped space: Linux changed the areas before the hole
                    }
                    try {
                        m.syscalls().mprotect(mm, start, len, "rw");
                    } catch (io.vmsim.core.mm.WorkloadException enomem) {
                        // likewise
                    }
                }
                case 4 -> {
                    m.syscalls().madvise(mm, start, len, "dontneed", 0);
                    forget(expected, start, len);
                }
                case 5 -> m.syscalls().madvise(mm, start, len, "collapse", 0);
                case 6 -> m.thp().splitter().scanDeferred(Integer.MAX_VALUE, 0);
                case 7 -> {
                    int pfn = frameOf(m, p, start);
                    if (pfn >= 0) {
                        k.huge.splitFolio(pfn, 0);
                    }
                    m.thp().compaction().compactZone(k.allocator.zones().get(0), 9, CompactionHooks.PRIO_SYNC, false, 0);
                }
                default -> m.thp().khugepaged().scan(4096);
            }
            check(m, p, expected, frameTag);
        }
        m.syscalls().exit(mm, 0);
        k.allocator.verify();
        assertThat(k.allocator.freePages()).isEqualTo(free0);
        assertThat(k.nrAnonPages).isZero();
        assertThat(k.nrAnonThps).isZero();
    }

    /** A listener of page moves. */
    @FunctionalInterface
    interface Migrator {
        void moved(int from, int to);
    }

    private static void forget(Map<Long, Long> expected, long start, long len) {
        for (Iterator<Long> it = expected.keySet().iterator(); it.hasNext(); ) {
            long va = it.next();
            if (va >= start && va < start + len) {
                it.remove();
            }
        }
    }

    private static void check(Machine m, SimProcess p, Map<Long, Long> expected, Map<Integer, Long> frameTag) {
        Kernel k = m.kernel();
        PageFrames f = k.frames;
        k.allocator.verify();
        for (Map.Entry<Long, Long> e : expected.entrySet()) {
            int pfn = frameOf(m, p, e.getKey());
            assertThat(pfn).as("0x%x is still mapped", e.getKey()).isGreaterThanOrEqualTo(0);
            assertThat(k.allocator.isFreeFrame(pfn)).as("frame of 0x%x is free", e.getKey()).isFalse();
            assertThat(frameTag.get(pfn)).as("contents of 0x%x", e.getKey()).isEqualTo(e.getValue());
        }
        // refcounts: one per PTE mapping of an order-0 page; a THP head counts all its mappings
        long rss = 0;
        Map<Integer, Integer> folioRefs = new HashMap<>();
        for (io.vmsim.core.mm.Vma v : p.mm().vmas()) {
            for (long va = v.start(); va < v.end(); va += 4096) {
                long leaf = k.lookupLeaf(p.mm(), va);
                if (leaf == 0 || !Pte.present(leaf)) {
                    continue;
                }
                int pfn = Pte.huge(leaf) ? Pte.pfn(leaf) + (int) ((va >>> 12) & 511) : Pte.pfn(leaf);
                if (pfn == k.zeroPfn || Pte.pfn(leaf) == k.hugeZeroPfn) {
                    continue;
                }
                rss++;
                boolean compound = f.test(pfn, PageFrames.PG_HEAD | PageFrames.PG_TAIL);
                int head = compound ? pfn & ~511 : pfn;
                int inc = Pte.huge(leaf) ? ((va >>> 12) & 511) == 0 ? 1 : 0 : 1;
                folioRefs.merge(head, inc, Integer::sum);
            }
        }
        assertThat(p.mm().rssAnon()).isEqualTo(rss);
        folioRefs.forEach((head, refs) -> assertThat(f.refcount(head)).as("refcount of %d", head).isEqualTo(refs));
    }
}
