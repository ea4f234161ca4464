package io.vmsim.core;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.ksm.Ksm;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.PageContents;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * KSM keeps contents, refcounts and counters consistent (issue 11): random writes of a few
 * contents (so that many pages are equal), forks, munmaps, exits, MADV_UNMERGEABLE/MERGEABLE,
 * migrations of KSM and other pages, MADV_PAGEOUT to swap, reclaim of KSM pages (a KSM page made
 * the coldest, then a direct reclaim: every PTE mapping it becomes one swap entry, and the
 * processes that read it back get ordinary pages), and ksmd running in between. After every step
 * the debug checks hold (mapcounts against page tables, refcount = mapcount, every mapping of a
 * KSM page found by its reverse map, KSM's counters against its trees, swap counts against the
 * entries) and at the end every page reads back the last value written to it, in every process.
 */
final class KsmProperties {
    private static final int PAGES = 48;
    private static final long[] CONTENTS = {PageContents.ZERO, 11, 12, 13};

    private static final class Proc {
        final SimProcess p;
        final Map<Long, Long> written = new HashMap<>();
        final boolean[] mapped = new boolean[PAGES];

        Proc(SimProcess p) {
            this.p = p;
        }

        Task task() {
            return p.threads().get(0);
        }
    }

    @Property(tries = 50)
    void randomOpsWithKsmd_keepContentsRefcountsAndCounters(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int nOps,
                                                            @ForAll boolean useZeroPages) {
        SplittableRandom rng = new SplittableRandom(seed);
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "policy.ksm", "linux", "mm.ksm.run", "1",
                "mm.ksm.max_page_sharing", "3", "mm.ksm.pages_to_scan", "40", "mm.ksm.use_zero_pages",
                Boolean.toString(useZeroPages), "mm.transparent_hugepage.enabled", "never", "swap.size", "16M", "policy.reclaim", "exact-lru",
                "vmsim.debug_checks", "true"), new TestCatalog());
        Kernel k = m.kernel();
        Ksm ksm = m.ksm();
        List<Proc> procs = new ArrayList<>();
        long maxSharing = 0;
        int ksmMigrated = 0;
        int ksmReclaimed = 0;
        Proc first = new Proc(m.spawn("app", List.of(0)));
        long base = m.syscalls().mmapAnon(first.p.mm(), 0, PAGES * 4096L, "rw", false, 4096);
        m.syscalls().madvise(first.p.mm(), base, PAGES * 4096L, "mergeable", 0);
        java.util.Arrays.fill(first.mapped, true);
        procs.add(first);
        for (int op = 0; op < nOps; op++) {
            Proc pr = procs.get(rng.nextInt(procs.size()));
            int page = rng.nextInt(PAGES);
            long va = base + page * 4096L;
            switch (rng.nextInt(11)) {
                case 0, 1, 2 -> {
                    for (int i = 0; i < 16; i++) {
                        int pg = rng.nextInt(PAGES);
                        if (pr.mapped[pg]) {
                            long tag = CONTENTS[rng.nextInt(CONTENTS.length)];
                            m.store(pr.task(), base + pg * 4096L, tag);
                            pr.written.put(base + pg * 4096L, tag);
                        }
                    }
                }
                case 3 -> {
                    if (procs.size() < 4) {
                        Proc child = new Proc(m.fork(pr.p, 0));
                        child.written.putAll(pr.written);
                        System.arraycopy(pr.mapped, 0, child.mapped, 0, PAGES);
                        procs.add(child);
                    }
                }
                case 4 -> {
                    int n = 1 + rng.nextInt(Math.min(8, PAGES - page));
                    if (allMapped(pr, page, n)) {
                        m.syscalls().munmap(pr.p.mm(), va, n * 4096L, 0);
                        for (int i = page; i < page + n; i++) {
                            pr.mapped[i] = false;
                            pr.written.remove(base + i * 4096L);
                        }
                    }
                }
                case 5 -> {
                    // migrate a page (a KSM page when there is one): migrate_pages()
                    int pfn = mappedPfn(k, pr, base, page);
                    if (pfn >= 0 && m.thp().migrator().movable(pfn)) {
                        ksmMigrated += k.frames.test(pfn, PageFrames.PG_KSM) ? 1 : 0;
                        int to = k.allocator.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, 0, 0);
                        assertThat(to).isNotNegative();
                        if (!m.thp().migrator().migrate(pfn, to, 0)) {
                            k.frames.setRefcount(to, 0);
                            k.allocator.freePages(to, 0, 0);
                        }
                    }
                }
                case 6 -> {
                    int n = 1 + rng.nextInt(Math.min(8, PAGES - page));
                    if (allMapped(pr, page, n)) {
                        m.syscalls().madvise(pr.p.mm(), va, n * 4096L, rng.nextBoolean() ? "unmergeable" : "mergeable", 0);
                    }
                }
                case 7 -> {
                    int n = 1 + rng.nextInt(Math.min(8, PAGES - page));
                    if (allMapped(pr, page, n)) {
                        m.syscalls().madvise(pr.p.mm(), va, n * 4096L, "pageout", 0);
                    }
                }
                case 9 -> {
                    // reclaim: the page (a KSM page when there is one) goes first, then one direct reclaim
                    int pfn = mappedPfn(k, pr, base, page);
                    ReclaimTestPolicies.Recording lru = TestCatalog.lastRecording;
                    if (pfn >= 0 && lru.order.remove(pfn)) {
                        boolean wasKsm = k.frames.test(pfn, PageFrames.PG_KSM);
                        List<Integer> rest = new ArrayList<>(lru.order);
                        lru.order.clear();
                        lru.order.add(pfn);
                        lru.order.addAll(rest);
                        io.vmsim.core.vmscan.Reclaim.of(k).vmscan().directReclaim(Gfp.GFP_KERNEL, 0, 0);
                        if (wasKsm && k.frames.refcount(pfn) == 0) {
                            ksmReclaimed++;
                        }
                    }
                }
                case 8 -> {
                    if (pr != first && rng.nextInt(3) == 0) {
                        m.syscalls().exit(pr.p.mm(), 0);
                        procs.remove(pr);
                    }
                }
                default -> {
                    // ksmd runs for a while: up to a few full scans
                    for (int i = 0; i < 1 + rng.nextInt(400); i++) {
                        k.clock.advance(1_000_000_000L);
                        m.tick();
                    }
                }
            }
            m.tick();
            m.debugChecks().check("op " + op);
            ksm.verify();
            Ksm.Stats s = ksm.stats();
            assertThat(s.pagesVolatile()).isNotNegative();
            maxSharing = Math.max(maxSharing, s.pagesSharing() + s.ksmZeroPages());
            assertThat(s.generalProfit()).isEqualTo((s.pagesSharing() + s.ksmZeroPages()) * 4096 - s.rmapItems() * Ksm.RMAP_ITEM_SIZE);
        }
        for (Proc pr : procs) {
            for (Map.Entry<Long, Long> e : pr.written.entrySet()) {
                assertThat(m.load(pr.task(), e.getKey())).as("%s at 0x%x", pr.p.name(), e.getKey()).isEqualTo(e.getValue());
            }
        }
        m.debugChecks().check("end");
        Statistics.label("merged").collect(maxSharing > 0);
        Statistics.label("KSM page migrated").collect(ksmMigrated > 0);
        Statistics.label("KSM page reclaimed").collect(ksmReclaimed > 0);
        // KSM pages are evictable: on an LRU list, as Linux keeps them
        for (int pfn = 0; pfn < k.frames.nrFrames(); pfn++) {
            if (k.frames.test(pfn, PageFrames.PG_KSM)) {
                assertThat(k.frames.test(pfn, PageFrames.PG_LRU)).isTrue();
                assertThat(k.frames.test(pfn, PageFrames.PG_UNEVICTABLE)).isFalse();
                assertThat(k.frames.refcount(pfn)).isEqualTo(k.frames.mapcount(pfn)).isPositive();
            }
        }
    }

    private static boolean allMapped(Proc pr, int page, int n) {
        for (int i = page; i < page + n; i++) {
            if (!pr.mapped[i]) {
                return false;
            }
        }
        return true;
    }

    /** The PFN mapped at the page, preferring a KSM page elsewhere in the area; -1 if none. */
    private static int mappedPfn(Kernel k, Proc pr, long base, int page) {
        int found = -1;
        for (int i = 0; i < PAGES; i++) {
            int pg = (page + i) % PAGES;
            if (!pr.mapped[pg]) {
                continue;
            }
            long e = k.lookupLeaf(pr.p.mm(), base + pg * 4096L);
            if (!Pte.present(e) || Pte.pfn(e) == k.zeroPfn) {
                continue;
            }
            int pfn = Pte.pfn(e);
            if (k.frames.test(pfn, PageFrames.PG_KSM)) {
                return pfn;
            }
            if (found < 0) {
                found = pfn;
            }
        }
        return found;
    }
}
