package io.vmsim.core;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.SyscallError;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * munlock() against mm/mlock.c (Linux 6.18, {@code __munlock_folio()}) and the recorded cases
 * conformance/expected/mlock-populates and mlock-partial-split: VM_LOCKED goes, the areas split at
 * the range's edges and merge back, each page loses PG_mlocked ({@code unevictable_pgs_munlocked})
 * and returns to the LRU ({@code unevictable_pgs_rescued}) unless another locked area still maps it.
 */
final class MunlockTest {
    private static final long PAGE = 4096;

    private static Machine machine(String swap) {
        return Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", swap, "vmsim.debug_checks", "true",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru"), new TestCatalog());
    }

    private static void mlockPopulated(Machine m, Task t, long a, long len) {
        m.syscalls().mlock(t.mm(), a, len);
        for (long off = 0; off < len; off += PAGE) {
            m.access(t, a + off, true);
        }
    }

    private static int pfn(Machine m, Mm mm, long va) {
        return Pte.pfn(m.kernel().lookupLeaf(mm, va));
    }

    private static List<Vma> vmas(Mm mm) {
        List<Vma> out = new ArrayList<>();
        mm.vmas().forEach(out::add);
        return out;
    }

    @Test
    void munlock_withSwap_clearsPgMlocked_andPutsEveryPageBackOnTheLru() {
        Machine m = machine("64M");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        mlockPopulated(m, t, a, 16 * PAGE);
        assertThat(m.meminfo().get("Mlocked")).isEqualTo(64);
        int lruBefore = m.kernel().reclaim.size();
        m.syscalls().munlock(p.mm(), a, 16 * PAGE);
        m.debugChecks().check("munlock");
        PageFrames f = m.kernel().frames;
        for (int i = 0; i < 16; i++) {
            int pfn = pfn(m, p.mm(), a + i * PAGE);
            assertThat(f.test(pfn, PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE)).isFalse();
            assertThat(f.test(pfn, PageFrames.PG_LRU)).isTrue();
        }
        assertThat(m.kernel().reclaim.size()).isEqualTo(lruBefore + 16);
        assertThat(m.meminfo().get("Mlocked")).isZero();
        assertThat(m.vmstat().get("unevictable_pgs_munlocked")).isEqualTo(16);
        assertThat(m.vmstat().get("unevictable_pgs_rescued")).isEqualTo(16);
        assertThat(p.mm().findVma(a).has(VmaFlags.VM_LOCKED)).isFalse();
        // evictable again: reclaim may now take them (they were refused while mlocked)
        for (int i = 0; i < 16; i++) {
            int pfn = pfn(m, p.mm(), a + i * PAGE);
            assertThat(TestCatalog.lastRecording.order).contains(pfn);
        }
    }

    @Test
    void munlockOfPartOfALockedArea_splitsItInThree_andOnlyThatPartIsUnlocked() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * PAGE, "rw", false, PAGE);
        mlockPopulated(m, t, a, 16 * PAGE);
        m.syscalls().munlock(p.mm(), a + 4 * PAGE, 4 * PAGE);
        m.debugChecks().check("partial munlock");
        List<Vma> vs = vmas(p.mm());
        assertThat(vs).hasSize(3);
        assertThat(vs.get(0).has(VmaFlags.VM_LOCKED)).isTrue();
        assertThat(vs.get(1).has(VmaFlags.VM_LOCKED)).isFalse();
        assertThat(vs.get(1).start()).isEqualTo(a + 4 * PAGE);
        assertThat(vs.get(2).has(VmaFlags.VM_LOCKED)).isTrue();
        PageFrames f = m.kernel().frames;
        for (int i = 0; i < 16; i++) {
            boolean inRange = i >= 4 && i < 8;
            assertThat(f.test(pfn(m, p.mm(), a + i * PAGE), PageFrames.PG_MLOCKED)).as("page %d", i).isEqualTo(!inRange);
        }
        assertThat(m.vmstat().get("unevictable_pgs_munlocked")).isEqualTo(4);
        // without swap an anonymous page stays off the LRU in vmsim, yet Linux counts it rescued
        assertThat(m.vmstat().get("unevictable_pgs_rescued")).isEqualTo(4);
        assertThat(m.kernel().reclaim.size()).isZero();
        // munlock of the rest: the three areas merge back into one (recorded: mlock-partial-split)
        m.syscalls().munlock(p.mm(), a, 16 * PAGE);
        m.debugChecks().check("munlock all");
        assertThat(vmas(p.mm())).hasSize(1);
        assertThat(m.meminfo().get("Mlocked")).isZero();
    }

    @Test
    void aPageStillMappedByAnotherLockedArea_staysMlocked() {
        Machine m = machine("64M");
        SimProcess parent = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(parent.mm(), 0, 4 * PAGE, "rw", false, PAGE);
        mlockPopulated(m, parent.threads().get(0), a, 4 * PAGE);
        SimProcess child = m.fork(parent, 0); // the child shares the pages; VM_LOCKED is not inherited
        m.syscalls().mlock(child.mm(), a, 4 * PAGE);
        m.syscalls().munlock(parent.mm(), a, 4 * PAGE);
        m.debugChecks().check("parent munlock");
        int pfn = pfn(m, parent.mm(), a);
        assertThat(pfn(m, child.mm(), a)).isEqualTo(pfn);
        // folio->mlock_count was 2: one munlock leaves the page mlocked
        assertThat(m.kernel().frames.test(pfn, PageFrames.PG_MLOCKED)).isTrue();
        assertThat(m.vmstat().get("unevictable_pgs_munlocked")).isZero();
        m.syscalls().munlock(child.mm(), a, 4 * PAGE);
        m.debugChecks().check("child munlock");
        assertThat(m.kernel().frames.test(pfn, PageFrames.PG_MLOCKED)).isFalse();
        assertThat(m.vmstat().get("unevictable_pgs_munlocked")).isEqualTo(4);
    }

    @Test
    void aRangeMeetingAHole_isENOMEM_afterTheAreaBeforeItWasUnlocked() {
        Machine m = machine("0");
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 4 * PAGE, "rw", false, 1L << 21);
        mlockPopulated(m, p.threads().get(0), a, 4 * PAGE);
        assertThatThrownBy(() -> m.syscalls().munlock(p.mm(), a, 8 * PAGE))
                .isInstanceOfSatisfying(SyscallError.class, e -> assertThat(e.errno()).isEqualTo("ENOMEM"));
        m.debugChecks().check("hole");
        assertThat(p.mm().findVma(a).has(VmaFlags.VM_LOCKED)).isFalse();
        assertThat(m.meminfo().get("Mlocked")).isZero();
    }

    @Test
    void aLockedHugePage_isMunlockedWhole() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", "64M", "vmsim.debug_checks", "true",
                "mm.transparent_hugepage.enabled", "always", "policy.reclaim", "exact-lru"), new TestCatalog());
        SimProcess p = m.spawn("p", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 2L << 20, "rw", false, 2L << 20);
        mlockPopulated(m, p.threads().get(0), a, 2L << 20);
        assertThat(Pte.huge(m.kernel().lookupLeaf(p.mm(), a))).isTrue();
        m.syscalls().munlock(p.mm(), a, 2L << 20);
        m.debugChecks().check("huge munlock");
        int head = pfn(m, p.mm(), a);
        assertThat(m.kernel().frames.test(head, PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE)).isFalse();
        assertThat(m.kernel().frames.test(head, PageFrames.PG_LRU)).isTrue();
        assertThat(m.vmstat().get("unevictable_pgs_munlocked")).isEqualTo(Kernel.HPAGE_PMD_NR);
    }
}
