package io.vmsim.core;

import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.debug.InvariantChecker;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each test breaks one invariant of a consistent machine and expects the checker to name it. */
final class InvariantCheckerTest {
    private Machine m;
    private Kernel k;
    private Mm mm;
    private long a;
    private InvariantChecker checker;

    @BeforeEach
    void setUp() {
        m = Machine.create(TestConfig.of("mm.transparent_hugepage.enabled", "never", "machine.memory", "64M"), new TestCatalog());
        k = m.kernel();
        SimProcess p = m.spawn("p", List.of(0));
        mm = p.mm();
        a = m.syscalls().mmapAnon(mm, 0, 64 << 10, "rw", false, 4096);
        for (int i = 0; i < 16; i++) {
            m.access(p.threads().get(0), a + i * 4096L, true);
        }
        m.fork(p, 0);
        checker = new InvariantChecker(k, m.policies().all(), 0);
        assertThatCode(() -> checker.check("before")).doesNotThrowAnyException();
    }

    private int pfnAt(long va) {
        return Pte.pfn(k.lookupLeaf(mm, va));
    }

    @Test
    void aBumpedMapcount_isNamedWithItsPfnAndBothCounts() {
        int pfn = pfnAt(a + 4096);
        k.frames.addMapcount(pfn, 1);
        assertThatThrownBy(() -> checker.check("test")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("vmsim.debug_checks (test)")
                .hasMessageContaining("PFN " + pfn + ": mapcount 3 but 2 PTEs map it");
    }

    @Test
    void anAnonymousPageThatLostPgSwapbacked_offTheLru_isNamedAsALazyFreePage() {
        // MADV_FREE clears PG_swapbacked and moves the page to the LRU; one without the other is corrupt
        int pfn = pfnAt(a + 2 * 4096);
        k.frames.clear(pfn, PageFrames.PG_SWAPBACKED);
        assertThatThrownBy(() -> checker.check("test")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lazy-free PFN " + pfn);
    }

    @Test
    void aRefcountAboveTheMappings_isNamed() {
        int pfn = pfnAt(a);
        k.frames.addRefcount(pfn, 1);
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("anonymous PFN " + pfn + ": refcount 3 but mapcount 2");
    }

    @Test
    void aPteClearedBehindTheRmapsBack_isNamedByTheMmAndThenByThePage() {
        int pfn = pfnAt(a + 8192);
        long[] t = k.tables.table(k.walkNoAlloc(mm, a + 8192, 1));
        t[Pte.index(a + 8192, 1)] = 0;
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("mm " + mm.id())
                .hasMessageContaining("MM_ANONPAGES 16")
                .hasMessageContaining("map 15");
        mm.rssAnon--; // the counter follows, the page's mapcount does not
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("PFN " + pfn + ": mapcount 2 but 1 PTEs map it");
    }

    @Test
    void anRmapThatMissesAMapping_isNamed() {
        int pfn = pfnAt(a);
        // the page claims another anon_vma: the walk finds none of the PTEs that map it
        int other = k.anonVmas.create().id();
        k.frames.setMapping(pfn, other);
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("rmap walk of PFN " + pfn + " finds 0 mappings but the page tables hold 2");
    }

    @Test
    void aLeakedFrame_isNamed() {
        int pfn = k.allocator.allocPages(Gfp.GFP_KERNEL, 0, 0, 0);
        assertThat(pfn).isNotNegative();
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("PFN " + pfn + " is allocated (refcount 1) but held by nothing");
    }

    @Test
    void aSkewedMemcgCounter_isNamed() {
        k.reclaim.cgroup(0).anon++;
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("memory cgroup /: current")
                .hasMessageContaining("anon 17");
    }

    @Test
    void anUnbalancedZoneCounter_isNamed() throws Exception {
        Zone z = k.allocator.zoneOf(pfnAt(a));
        Field f = Zone.class.getDeclaredField("nrFreePages");
        f.setAccessible(true);
        f.setLong(z, f.getLong(z) + 1);
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining(z.toString())
                .hasMessageContaining("NR_FREE_PAGES");
    }

    @Test
    void anUnbalancedNodeAnonCounter_isNamed() {
        k.nrAnonPages++;
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("NR_ANON_MAPPED 17").hasMessageContaining("the frames hold 16 anonymous pages");
    }

    @Test
    void aMiscountedPageTable_isNamed() {
        mm.tablesPerLevel[1]++;
        assertThatThrownBy(() -> checker.check("test"))
                .hasMessageContaining("mm " + mm.id())
                .hasMessageContaining("2 page tables at level 1 but its tree holds 1");
    }

    @Test
    void anUnevictablePageOnTheLru_isNamed() {
        int pfn = pfnAt(a);
        assertThat(k.frames.test(pfn, PageFrames.PG_UNEVICTABLE)).as("no swap: anonymous pages are unevictable").isTrue();
        k.frames.set(pfn, PageFrames.PG_LRU);
        assertThatThrownBy(() -> checker.check("test")).hasMessageContaining("PFN " + pfn + " is on the LRU and unevictable");
    }

    @Test
    void theIntervalChecksOncePerInterval() {
        InvariantChecker every = new InvariantChecker(k, m.policies().all(), 1000);
        every.maybeCheck(999, "x");
        assertThat(every.checks()).isZero();
        every.maybeCheck(1000, "x");
        every.maybeCheck(1500, "x");
        assertThat(every.checks()).isEqualTo(1);
        k.frames.addMapcount(pfnAt(a), 1);
        assertThatThrownBy(() -> every.maybeCheck(2100, "phase 'p'"))
                .hasMessageContaining("vmsim.debug_checks (phase 'p' after 2100 references)");
    }

    @Test
    void aCachedPagePastTheEndOfItsFile_isNamed() {
        io.vmsim.core.filemap.PageCache pc = io.vmsim.core.vmscan.Reclaim.of(k).pageCache();
        int f = pc.createFile("f", 4 * 4096);
        pc.read(mm, 0, f, 3);
        checker.check("cached");
        pc.file(f).sizePages = 2; // shrunk without truncate_inode_pages()
        assertThatThrownBy(() -> checker.check("test")).hasMessageContaining("past its end (2 pages)");
    }

    @Test
    void aPermissionWithoutItsMayFlag_isNamed() throws Exception {
        io.vmsim.core.mm.Vma v = mm.findVma(a);
        Field flags = io.vmsim.core.mm.Vma.class.getDeclaredField("flags");
        flags.setAccessible(true);
        flags.setLong(v, v.flags() & ~io.vmsim.api.VmaFlags.VM_MAYWRITE);
        assertThatThrownBy(() -> checker.check("test")).hasMessageContaining("a permission without its VM_MAY* flag");
    }
}
