package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class MachineFaultTest {
    private static final long GIB = 1L << 30;

    private static Machine machine(String... kv) {
        return Machine.create(TestConfig.of(kv), new TestCatalog());
    }

    private static long vmstat(Machine m, String name) {
        return m.vmstat().get(name);
    }

    @Test
    void touchingEvery4kPageOfAnAlignedGigabyte_allocates512PteTablesOnePmdTableAndTheRoot() {
        Machine m = machine("machine.memory", "2G", "mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("t", List.of(0));
        long start = m.syscalls().mmapAnon(p.mm(), 0, GIB, "rw", false, GIB);
        assertThat(start % GIB).isZero();
        long before = m.kernel().tables.nrTables();
        for (long a = start; a < start + GIB; a += 4096) {
            m.access(p.threads().get(0), a, true);
        }
        Mm mm = p.mm();
        assertThat(mm.tablesAt(1)).isEqualTo(512);
        assertThat(mm.tablesAt(2)).isEqualTo(1);
        assertThat(mm.tablesAt(3)).isEqualTo(1);
        assertThat(mm.tablesAt(4)).isEqualTo(1);
        // the root existed before the first touch; the PUD, PMD and 512 PTE tables were added
        assertThat(m.kernel().tables.nrTables() - before).isEqualTo(512 + 1 + 1);
        assertThat(m.meminfo().get("PageTables")).isEqualTo((512 + 1 + 1 + 1) * 4L);
        assertThat(vmstat(m, "pgfault")).isEqualTo(GIB / 4096);
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(GIB / 1024);
    }

    @Test
    void touchingAnAlignedGigabyteWithThp_linksNoPteTables_andDepositsOnePerHugePmdAsLinuxDoes() {
        Machine m = machine("machine.memory", "2G", "mm.transparent_hugepage.enabled", "always");
        SimProcess p = m.spawn("t", List.of(0));
        long start = m.syscalls().mmapAnon(p.mm(), 0, GIB, "rw", false, GIB);
        for (long a = start; a < start + GIB; a += 4096) {
            m.access(p.threads().get(0), a, true);
        }
        Mm mm = p.mm();
        assertThat(mm.tablesAt(1)).isZero();
        assertThat(mm.tablesAt(2)).isEqualTo(1);
        // mm/huge_memory.c deposits a PTE table with every anonymous huge PMD so a split cannot fail
        assertThat(mm.depositedTables()).isEqualTo(512);
        assertThat(vmstat(m, "thp_fault_alloc")).isEqualTo(512);
        assertThat(vmstat(m, "pgfault")).isEqualTo(512);
        assertThat(m.meminfo().get("AnonHugePages")).isEqualTo(GIB / 1024);
    }

    @Test
    void readThenWrite_mapsTheZeroPageThenCopiesOnWrite_twoFaults() {
        Machine m = machine();
        SimProcess p = m.spawn("t", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 1 << 20, "rw", false, 4096);
        m.access(t, a, false);
        long pte = m.kernel().lookupLeaf(p.mm(), a);
        assertThat(Pte.pfn(pte)).isEqualTo(m.kernel().zeroPfn);
        assertThat(Pte.writable(pte)).isFalse();
        m.access(t, a + 8, false);
        assertThat(vmstat(m, "pgfault")).isEqualTo(1);
        m.access(t, a + 16, true);
        assertThat(vmstat(m, "pgfault")).isEqualTo(2);
        long after = m.kernel().lookupLeaf(p.mm(), a);
        assertThat(Pte.pfn(after)).isNotEqualTo(m.kernel().zeroPfn);
        assertThat(Pte.writable(after)).isTrue();
        assertThat(after & Pte.DIRTY).isNotZero();
        m.access(t, a + 24, true);
        assertThat(vmstat(m, "pgfault")).isEqualTo(2);
    }

    @Test
    void fork_sharesPagesCopyOnWrite_childWriteCopies_thenParentReuses() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess parent = m.spawn("p", List.of(0));
        Task pt = parent.threads().get(0);
        long a = m.syscalls().mmapAnon(parent.mm(), 0, 64 << 10, "rw", false, 4096);
        m.access(pt, a, true);
        int page = Pte.pfn(m.kernel().lookupLeaf(parent.mm(), a));
        SimProcess child = m.fork(parent, 0);
        Task ct = child.threads().get(0);
        assertThat(m.kernel().frames.mapcount(page)).isEqualTo(2);
        assertThat(Pte.writable(m.kernel().lookupLeaf(parent.mm(), a))).isFalse();
        m.access(ct, a, false);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(child.mm(), a))).isEqualTo(page);
        long faults = vmstat(m, "pgfault");
        m.access(ct, a, true);
        int copy = Pte.pfn(m.kernel().lookupLeaf(child.mm(), a));
        assertThat(copy).isNotEqualTo(page);
        assertThat(vmstat(m, "vmsim_cow_copies")).isEqualTo(1);
        assertThat(m.kernel().frames.mapcount(page)).isEqualTo(1);
        m.access(pt, a, true);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(parent.mm(), a))).isEqualTo(page);
        assertThat(vmstat(m, "pgreuse")).isEqualTo(1);
        assertThat(vmstat(m, "pgfault")).isEqualTo(faults + 2);
    }

    @Test
    void sharedAnonymous_afterFork_bothMapTheSameFrames_writesAreShared_andNothingIsEverCopied() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess parent = m.spawn("p", List.of(0));
        Task pt = parent.threads().get(0);
        long a = m.syscalls().mmapAnon(parent.mm(), 0, 64 << 10, "rw", true, 4096);
        m.access(pt, a, true);
        SimProcess child = m.fork(parent, 0);
        Task ct = child.threads().get(0);
        Kernel k = m.kernel();
        // MAP_SHARED|MAP_ANONYMOUS is shmem (mm/shmem.c shmem_zero_setup()): one page per index for every mapping,
        // whoever faults it first, by a write or a read
        // vma_needs_copy() is false for shmem: the child faults in the page the parent mapped before fork
        assertThat(k.lookupLeaf(child.mm(), a)).isZero();
        m.access(ct, a, false);
        m.access(ct, a + 4096, true);
        m.access(pt, a + 4096, false);
        m.access(pt, a + 8192, false);
        m.access(ct, a + 8192, true);
        for (long va : new long[] {a, a + 4096, a + 8192}) {
            int page = Pte.pfn(k.lookupLeaf(parent.mm(), va));
            assertThat(Pte.pfn(k.lookupLeaf(child.mm(), va))).isEqualTo(page);
            assertThat(k.frames.mapcount(page)).isEqualTo(2);
        }
        assertThat(parent.mm().rssAnon).isEqualTo(3);
        assertThat(child.mm().rssAnon).isEqualTo(3);
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(3 * 4);
        // a write after mprotect r -> rw reuses the shared page (wp_page_shared()), in both processes
        m.syscalls().mprotect(child.mm(), a, 64 << 10, "r");
        m.syscalls().mprotect(child.mm(), a, 64 << 10, "rw");
        m.access(ct, a, true);
        m.access(pt, a, true);
        assertThat(Pte.pfn(k.lookupLeaf(child.mm(), a))).isEqualTo(Pte.pfn(k.lookupLeaf(parent.mm(), a)));
        assertThat(vmstat(m, "vmsim_cow_copies")).isZero();
        m.syscalls().exit(child.mm(), 0);
        assertThat(k.frames.mapcount(Pte.pfn(k.lookupLeaf(parent.mm(), a)))).isEqualTo(1);
        m.kernel().allocator.verify();
    }

    @Test
    void sharedAnonymousHugePage_faultedByTheChild_isTheOneTheParentMaps() {
        Machine m = machine("mm.transparent_hugepage.shmem_enabled", "always");
        SimProcess parent = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(parent.mm(), 0, 2 << 20, "rw", true, 2 << 20);
        SimProcess child = m.fork(parent, 0);
        m.access(child.threads().get(0), a, true);
        long pmd = m.kernel().lookupLeaf(child.mm(), a);
        assertThat(Pte.huge(pmd)).isTrue();
        long thps = vmstat(m, "thp_file_alloc");
        m.access(parent.threads().get(0), a + 4096, true);
        // no second huge page: the parent maps the child's, by a PMD (mm/memory.c finish_fault() -> do_set_pmd())
        assertThat(vmstat(m, "thp_file_alloc")).isEqualTo(thps);
        assertThat(m.kernel().lookupLeaf(parent.mm(), a)).isEqualTo(pmd);
        assertThat(m.kernel().entireMapcount(Pte.pfn(pmd))).isEqualTo(2);
        assertThat(vmstat(m, "vmsim_cow_copies")).isZero();
    }

    @Test
    void fork_makesTheChildsPtesAndHugePmdsOld_andLeavesTheParentsYoung() {
        Machine m = machine("mm.transparent_hugepage.enabled", "always");
        SimProcess parent = m.spawn("p", List.of(0));
        long huge = m.syscalls().mmapAnon(parent.mm(), 0, 2 << 20, "rw", false, 2 << 20);
        long small = m.syscalls().mmapAnon(parent.mm(), 0, 16 << 10, "rw", false, 4096);
        m.access(parent.threads().get(0), huge, true);
        m.access(parent.threads().get(0), small, true);
        SimProcess child = m.fork(parent, 0);
        Kernel k = m.kernel();
        assertThat(Pte.huge(k.lookupLeaf(child.mm(), huge))).isTrue();
        // mm/memory.c copy_present_pte() and mm/huge_memory.c copy_huge_pmd(): pte_mkold(), pmd_mkold()
        for (long va : new long[] {huge, small}) {
            assertThat(k.lookupLeaf(child.mm(), va) & Pte.ACCESSED).isZero();
            assertThat(k.lookupLeaf(parent.mm(), va) & Pte.ACCESSED).isNotZero();
        }
    }

    @Test
    void fork_copiesNoEntriesOfASharedFileMapping_theChildFaultsThePageCachePageIn() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("data", 1 << 20);
        SimProcess parent = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapFile(parent.mm(), 0, 1 << 20, "rw", true, f, 0);
        m.access(parent.threads().get(0), a, false);
        int page = Pte.pfn(m.kernel().lookupLeaf(parent.mm(), a));
        SimProcess child = m.fork(parent, 0);
        // mm/memory.c vma_needs_copy(): no anon_vma, so copy_page_range() leaves the child's tables empty
        assertThat(m.kernel().lookupLeaf(child.mm(), a)).isZero();
        assertThat(child.mm().rssFile).isZero();
        long faults = vmstat(m, "pgfault");
        m.access(child.threads().get(0), a, false);
        assertThat(vmstat(m, "pgfault")).isEqualTo(faults + 1);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(child.mm(), a))).isEqualTo(page);
        assertThat(m.kernel().frames.mapcount(page)).isEqualTo(2);
    }

    @Test
    void forkOfAHugePage_thenChildWrite_splitsOnlyTheChildsPmdAndCopiesOnePage() {
        Machine m = machine("mm.transparent_hugepage.enabled", "always");
        SimProcess parent = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(parent.mm(), 0, 4 << 20, "rw", false, 2 << 20);
        m.access(parent.threads().get(0), a, true);
        int head = Pte.pfn(m.kernel().lookupLeaf(parent.mm(), a));
        SimProcess child = m.fork(parent, 0);
        m.access(child.threads().get(0), a + 4096, true);
        assertThat(vmstat(m, "thp_split_pmd")).isEqualTo(1);
        assertThat(Pte.huge(m.kernel().lookupLeaf(parent.mm(), a))).isTrue();
        long cpte = m.kernel().lookupLeaf(child.mm(), a + 4096);
        assertThat(Pte.huge(cpte)).isFalse();
        assertThat(Pte.pfn(cpte)).isNotEqualTo(head + 1);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(child.mm(), a))).isEqualTo(head);
        // the folio is mapped by the parent's PMD and the child's 511 remaining PTEs
        assertThat(m.kernel().frames.refcount(head)).isEqualTo(1 + 511);
    }

    @Test
    void exit_freesEveryPageAndPageTable() {
        Machine m = machine("mm.transparent_hugepage.enabled", "always");
        long free0 = m.kernel().allocator.freePages();
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 64L << 20, "rw", false, 2 << 20);
        for (long off = 0; off < (64L << 20); off += 8192) {
            m.access(p.threads().get(0), a + off + 4096 * ((off >> 21) & 1), (off & 16384) == 0);
        }
        SimProcess child = m.fork(p, 0);
        m.syscalls().munmap(p.mm(), a + (3 << 20), 5L << 20, 0);
        m.access(child.threads().get(0), a + (3 << 20) + 4096, true);
        m.syscalls().exit(child.mm(), 0);
        m.syscalls().exit(p.mm(), 0);
        m.kernel().allocator.drainAll();
        Kernel k = m.kernel();
        long hugeZero = k.hugeZeroPfn >= 0 ? Kernel.HPAGE_PMD_NR : 0;
        assertThat(k.allocator.freePages()).isEqualTo(free0 - hugeZero);
        assertThat(k.tables.nrTables()).isZero();
        assertThat(k.nrAnonPages).isZero();
        assertThat(TestCatalog.lastReclaim.size()).isZero();
        k.allocator.verify();
    }

    @Test
    void partialMunmapOfAHugePage_splitsItAndKeepsTheRestMapped() {
        Machine m = machine("mm.transparent_hugepage.enabled", "always");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 << 20, "rw", false, 2 << 20);
        m.access(t, a, true);
        int head = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a));
        m.syscalls().munmap(p.mm(), a + (1 << 20), 1 << 20, 0);
        assertThat(vmstat(m, "thp_split_pmd")).isEqualTo(1);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + 4096))).isEqualTo(head + 1);
        assertThat(m.kernel().lookupLeaf(p.mm(), a + (1 << 20))).isZero();
        assertThat(p.mm().rssAnon()).isEqualTo(256);
        long faults = vmstat(m, "pgfault");
        m.access(t, a + 8192, true);
        assertThat(vmstat(m, "pgfault")).isEqualTo(faults);
        assertThatThrownBy(() -> m.access(t, a + (1 << 20), false))
                .isInstanceOf(WorkloadException.class).hasMessageContaining("segmentation fault");
    }

    @Test
    void mprotectReadOnly_makesWritesFail_andBackToWritable_makesTheExclusivePageWritableAtOnce() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 << 10, "rw", false, 4096);
        m.access(t, a, true);
        m.syscalls().mprotect(p.mm(), a, 4096, "r");
        m.access(t, a, false);
        assertThatThrownBy(() -> m.access(t, a, true)).isInstanceOf(WorkloadException.class);
        int frame = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a));
        m.syscalls().mprotect(p.mm(), a, 4096, "rw");
        long faults = vmstat(m, "pgfault");
        m.access(t, a, true);
        // can_change_pte_writable() (mm/mprotect.c): the page is mapped only here, so mprotect makes
        // its PTE writable and the write takes no fault (conformance case mprotect-readonly-then-rw)
        assertThat(vmstat(m, "pgfault")).isEqualTo(faults);
        assertThat(vmstat(m, "pgreuse")).isZero();
        assertThat(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a))).isEqualTo(frame);
        // the split area merged back (mm/vma.c vma_merge_existing_range())
        assertThat(p.mm().vmas()).hasSize(1);
    }

    @Test
    void mprotectNone_makesEveryAccessASegfaultNamingTheAddress_andBackToRead_restoresThePage() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 << 10, "rw", false, 4096);
        m.access(t, a, true);
        int page = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a));
        m.syscalls().mprotect(p.mm(), a, 4096, "");
        // mm/mprotect.c change_pte_range() with PAGE_NONE: still mapped (pte_present), not for the MMU
        long e = m.kernel().lookupLeaf(p.mm(), a);
        assertThat(Pte.protnone(e)).isTrue();
        assertThat(Pte.pfn(e)).isEqualTo(page);
        assertThat(p.mm().rssAnon).isEqualTo(1);
        String addr = "0x" + Long.toHexString(a + 8);
        assertThatThrownBy(() -> m.access(t, a + 8, false)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("segmentation fault").hasMessageContaining(addr);
        assertThatThrownBy(() -> m.access(t, a + 8, true)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("segmentation fault").hasMessageContaining(addr);
        m.syscalls().mprotect(p.mm(), a, 4096, "r");
        long faults = vmstat(m, "pgfault");
        m.access(t, a, false);
        assertThat(vmstat(m, "pgfault")).isEqualTo(faults);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a))).isEqualTo(page);
        m.kernel().allocator.verify();
    }

    @Test
    void mprotectNone_ofAHugePage_keepsThePmdMappedButInaccessible() {
        Machine m = machine("mm.transparent_hugepage.enabled", "always");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2 << 20, "rw", false, 2 << 20);
        m.access(t, a, true);
        int head = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a));
        m.syscalls().mprotect(p.mm(), a, 2 << 20, "");
        // mm/huge_memory.c change_huge_pmd(): the PMD stays huge and PROT_NONE
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isTrue();
        assertThat(Pte.protnone(m.kernel().lookupLeaf(p.mm(), a))).isTrue();
        assertThatThrownBy(() -> m.access(t, a + 4096, false)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("0x" + Long.toHexString(a + 4096));
        m.syscalls().mprotect(p.mm(), a, 2 << 20, "r");
        m.access(t, a + 4096, false);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a))).isEqualTo(head);
    }

    @Test
    void mprotectOfOnePage_splitsTheArea_andRestoringTheProtection_mergesItBack() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 << 12, "rw", false, 4096);
        for (int i = 0; i < 16; i++) {
            m.access(t, a + i * 4096L, true);
        }
        m.syscalls().mprotect(p.mm(), a + 4096, 4096, "r");
        assertThat(p.mm().vmas()).hasSize(3);
        m.syscalls().mprotect(p.mm(), a + 4096, 4096, "rw");
        // as /proc/self/maps shows on Linux: one rw-p area again
        assertThat(p.mm().vmas()).hasSize(1);
        Vma v = p.mm().findVma(a);
        assertThat(v.start()).isEqualTo(a);
        assertThat(v.end()).isEqualTo(a + (16 << 12));
        assertThat(v.anonVma().vmas()).containsExactly(v);
        // every page is still found from its frame through the merged area
        Rmap rmap = new Rmap(m.kernel());
        for (int i = 0; i < 16; i++) {
            int pfn = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + i * 4096L));
            List<Long> found = new ArrayList<>();
            rmap.walk(pfn, (mm, vma, address, table, index, level) -> found.add(address));
            assertThat(found).containsExactly(a + i * 4096L);
        }
    }

    @Test
    void mmapJustAboveAnAnonymousArea_withTheSameFlags_extendsIt_andWithOtherFlagsDoesNot() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 << 12, "rw", false, 4096);
        m.access(t, a, true);
        long b = m.syscalls().mmapAnon(p.mm(), a + (4 << 12), 4 << 12, "rw", false, 4096);
        assertThat(b).isEqualTo(a + (4 << 12));
        // mm/vma.c vma_merge_new_range(): one area of 8 pages
        assertThat(p.mm().vmas()).hasSize(1);
        assertThat(p.mm().findVma(b).start()).isEqualTo(a);
        assertThat(p.mm().findVma(a).end()).isEqualTo(b + (4 << 12));
        m.access(t, b, true);
        assertThat(p.mm().rssAnon).isEqualTo(2);
        m.syscalls().mmapAnon(p.mm(), b + (4 << 12), 4 << 12, "r", false, 4096);
        m.syscalls().mmapAnon(p.mm(), b + (8 << 12), 4 << 12, "r", true, 4096);
        assertThat(p.mm().vmas()).hasSize(3);
        m.syscalls().munmap(p.mm(), a, 16 << 12, 0);
        assertThat(p.mm().vmas()).isEmpty();
        assertThat(p.mm().rssAnon).isZero();
        m.kernel().allocator.verify();
    }

    @Test
    void madviseDontneed_dropsPages_andTheNextReadSeesTheZeroPage() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 << 10, "rw", false, 4096);
        m.access(t, a, true);
        m.syscalls().madvise(p.mm(), a, 16 << 10, "dontneed", 0);
        assertThat(p.mm().rssAnon()).isZero();
        m.access(t, a, false);
        assertThat(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a))).isEqualTo(m.kernel().zeroPfn);
    }

    @Test
    void walker_setsAccessedOnEveryLevelAndDirtyOnlyOnWrite() {
        Machine m = machine("mm.transparent_hugepage.enabled", "never");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 << 10, "rw", false, 4096);
        m.access(t, a, true);
        long pte = m.kernel().lookupLeaf(p.mm(), a);
        // clear A and D as reclaim's test-and-clear would, flush, then read
        int table = m.kernel().walkNoAlloc(p.mm(), a, 1);
        m.kernel().tables.table(table)[Pte.index(a, 1)] = pte & ~(Pte.ACCESSED | Pte.DIRTY);
        m.kernel().flushTlbPage(p.mm(), a);
        m.access(t, a, false);
        long e = m.kernel().lookupLeaf(p.mm(), a);
        assertThat(e & Pte.ACCESSED).isNotZero();
        assertThat(e & Pte.DIRTY).isZero();
        m.access(t, a, true);
        assertThat(m.kernel().lookupLeaf(p.mm(), a) & Pte.DIRTY).isNotZero();
        assertThat(m.tlb().get("dirty_assists")).isEqualTo(1);
    }
}
