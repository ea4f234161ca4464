package io.vmsim.core;

import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.shmem.ShmemPages;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared anonymous memory as a shmem object (mm/shmem.c): the object keeps its pages when no
 * page table maps them, read faults fault around over them, swap-out leaves the swap entry in the
 * object's slot, and the object goes with its last area.
 */
final class ShmemObjectTest {
    private static final long MIB = 1L << 20;

    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "64M", "swap.size", "128M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru", "vmsim.debug_checks", "true", "vm.overcommit_memory", "1"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    @Test
    void madviseDontneed_unmapsThePages_butTheObjectKeepsThem_andAReadMapsThemBackSixteenAFault() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long len = 64 * 4096;
        long a = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", true, 2 * MIB);
        int[] frames = new int[64];
        for (int i = 0; i < 64; i++) {
            m.access(t, a + i * 4096L, true);
            frames[i] = Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + i * 4096L));
        }
        long free = m.kernel().allocator.freePages();
        m.syscalls().madvise(p.mm(), a, len, "dontneed", 0);
        assertThat(m.kernel().lookupLeaf(p.mm(), a)).isZero();
        assertThat(m.kernel().allocator.freePages()).isEqualTo(free); // nothing freed: the object holds them
        m.debugChecks().check("after MADV_DONTNEED");
        long before = t.minFlt();
        for (int i = 0; i < 64; i++) {
            m.access(t, a + i * 4096L, false);
            assertThat(Pte.pfn(m.kernel().lookupLeaf(p.mm(), a + i * 4096L))).isEqualTo(frames[i]);
        }
        // do_fault_around(): 64 KiB windows, aligned (the area is 2 MiB-aligned): 64 / 16 faults
        assertThat(t.minFlt() - before).isEqualTo(64 / 16);
        m.debugChecks().check("after the reads");
    }

    @Test
    void pagesSwappedOutWhileUnmapped_comeBackFromTheObjectsSlots_andEveryIndexKeepsOnePage() {
        Machine m = machine();
        SimProcess p = m.spawn("p", List.of(0));
        Task pt = p.threads().get(0);
        long len = 32 * MIB;
        long a = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", true, 4096);
        for (long o = 0; o < len; o += 4096) {
            m.access(pt, a + o, true);
        }
        SimProcess c = m.fork(p, 0); // maps none of the shared pages (vma_needs_copy())
        m.syscalls().madvise(p.mm(), a, len / 2, "dontneed", 0);
        SimProcess hog = m.spawn("hog", List.of(0));
        long h = m.syscalls().mmapAnon(hog.mm(), 0, 56 * MIB, "rw", false, 4096);
        for (long o = 0; o < 56 * MIB; o += 4096) {
            m.access(hog.threads().get(0), h + o, true);
            if ((o & (MIB - 1)) == 0) {
                m.tick();
            }
        }
        ShmemPages obj = p.mm().findVma(a).anonVma().shmem();
        long swapped = 0;
        for (int s = 0; s < obj.capacity(); s++) {
            if (obj.indexAt(s) >= 0 && Pte.isSwap(obj.valueAt(s))) {
                swapped++;
            }
        }
        assertThat(swapped).as("object slots holding swap entries").isPositive();
        m.debugChecks().check("after the swap-out");
        m.syscalls().exit(hog.mm(), 0);
        // random order, both the parent (which mapped the pages) and a forked child (which never did)
        Random r = new Random(9);
        Map<Long, Integer> page = new HashMap<>();
        for (int n = 0; n < 20000; n++) {
            long o = (long) r.nextInt((int) (len / 4096)) * 4096;
            Task t = r.nextBoolean() ? pt : c.threads().get(0);
            m.access(t, a + o, r.nextInt(4) == 0);
            int pfn = Pte.pfn(m.kernel().lookupLeaf(t.mm(), a + o));
            Integer was = page.putIfAbsent(o, pfn);
            assertThat(was == null ? pfn : was).as("page at offset %x", o).isEqualTo(pfn);
        }
        m.debugChecks().check("after the swap-ins");
        m.syscalls().exit(c.mm(), 0);
        m.syscalls().exit(p.mm(), 0);
        m.debugChecks().check("after the exits");
        assertThat(m.meminfo().get("SwapFree")).isEqualTo(m.meminfo().get("SwapTotal"));
        assertThat(m.meminfo().get("AnonPages")).isZero();
    }

    @Test
    void aMemfd_faultsInZeroedPagesWithoutIo_readsOfHolesAllocateNothing_andNothingIsWrittenBack() {
        Machine m = machine();
        io.vmsim.core.filemap.PageCache pc = io.vmsim.core.vmscan.Reclaim.of(m.kernel()).pageCache();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        int f = pc.createShmemFile("memfd", 64 * 4096);
        for (long i = 0; i < 32; i++) {
            pc.read(p.mm(), 0, f, i); // shmem_file_read_iter(): a hole reads as zeros
        }
        assertThat(pc.file(f).resident).isZero();
        long a = m.syscalls().mmapFile(p.mm(), 0, 64 * 4096, "rw", true, f, 0);
        for (int i = 0; i < 64; i++) {
            m.access(t, a + i * 4096L, true);
        }
        // shmem_get_folio_gfp() allocates each page: 64 minor faults, no I/O
        assertThat(t.minFlt()).isEqualTo(64);
        assertThat(t.majFlt()).isZero();
        assertThat(m.vmstat().get("pgpgin")).isZero();
        assertThat(pc.file(f).resident).isEqualTo(64);
        assertThat(pc.nrDirty()).isZero();
        m.debugChecks().check("after the writes");
    }
}
