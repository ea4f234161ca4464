package io.vmsim.core;

import io.vmsim.api.VmaFlags;
import io.vmsim.core.debug.InvariantChecker;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.SyscallError;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.pgtable.Pte;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * mremap() against mm/mremap.c (Linux 6.18) and the recorded cases conformance/expected/mremap-*:
 * shrink unmaps the tail, growth happens in place when the space after is free, else moves with
 * MREMAP_MAYMOVE (the page tables move: no fault, same frames) or fails with ENOMEM; the growth
 * is charged to Committed_AS. The invariant checker runs after every call.
 */
final class MremapTest {
    private static final long PAGE = 4096;
    private static final long HUGE = 2L << 20;

    private final Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "vmsim.debug_checks", "true",
            "mm.transparent_hugepage.enabled", "never", "vm.overcommit_memory", "2", "vm.overcommit_ratio", "50"),
            new TestCatalog());
    private final Kernel k = m.kernel();
    private final SimProcess p = m.spawn("p", List.of(0));
    private final Task t = p.threads().get(0);
    private final Mm mm = p.mm();

    private void check(String what) {
        InvariantChecker c = m.debugChecks();
        c.check(what);
    }

    private void write(long a, long len) {
        for (long off = 0; off < len; off += PAGE) {
            m.access(t, a + off, true);
        }
    }

    private int[] frames(long a, long pages) {
        int[] f = new int[(int) pages];
        for (int i = 0; i < pages; i++) {
            long e = k.lookupLeaf(mm, a + i * PAGE);
            f[i] = e != 0 && Pte.present(e) ? Pte.pfn(e) + (Pte.huge(e) ? (int) (((a + i * PAGE) & (HUGE - 1)) >>> 12) : 0) : -1;
        }
        return f;
    }

    private long committedKb() {
        return m.meminfo().get("Committed_AS");
    }

    private int vmas() {
        int n = 0;
        for (Vma ignored : mm.vmas()) {
            n++;
        }
        return n;
    }

    @Test
    void shrink_unmapsTheTail_keepsTheAddress_andReturnsTheTailsCharge() {
        long a = m.syscalls().mmapAnon(mm, 0, 16 * PAGE, "rw", false, HUGE);
        write(a, 16 * PAGE);
        long committed = committedKb();
        long anon = m.meminfo().get("AnonPages");
        assertThat(m.syscalls().mremap(mm, a, 16 * PAGE, 4 * PAGE, "", 0, 0)).isEqualTo(a);
        check("shrink");
        // recorded: Rss 16 KiB, 4 pages present; the 12 tail pages are freed and uncharged
        assertThat(mm.rssAnon()).isEqualTo(4);
        assertThat(m.meminfo().get("AnonPages")).isEqualTo(anon - 12 * 4);
        assertThat(committedKb()).isEqualTo(committed - 12 * 4);
        assertThat(mm.findVma(a).end()).isEqualTo(a + 4 * PAGE);
        assertThat(mm.findVma(a + 4 * PAGE)).isNull();
    }

    @Test
    void growth_whenTheSpaceAfterIsFree_happensInPlace_withoutFaults_andIsCharged() {
        long a = m.syscalls().mmapAnon(mm, 0, 4 * PAGE, "rw", false, HUGE);
        write(a, 4 * PAGE);
        int[] before = frames(a, 4);
        long committed = committedKb();
        long faults = m.vmstat().get("pgfault");
        assertThat(m.syscalls().mremap(mm, a, 4 * PAGE, 8 * PAGE, "", 0, 0)).isEqualTo(a);
        check("grow");
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults);
        assertThat(frames(a, 4)).containsExactly(before);
        assertThat(vmas()).isEqualTo(1);
        assertThat(mm.findVma(a).end()).isEqualTo(a + 8 * PAGE);
        assertThat(committedKb()).isEqualTo(committed + 4 * 4); // vrm_charge(): the 4 new pages
        // recorded: reading all 8 pages takes 4 faults, for the new ones only
        for (int i = 0; i < 8; i++) {
            m.access(t, a + i * PAGE, false);
        }
        assertThat(m.vmstat().get("pgfault") - faults).isEqualTo(4);
    }

    @Test
    void growth_blockedByTheNextArea_withoutMaymove_isENOMEM_andChangesNothing() {
        long a = m.syscalls().mmapAnon(mm, 0, 4 * PAGE, "rw", false, HUGE);
        m.syscalls().mmapAnon(mm, a + 4 * PAGE, 4 * PAGE, "r", false, PAGE);
        write(a, 4 * PAGE);
        long committed = committedKb();
        assertThatThrownBy(() -> m.syscalls().mremap(mm, a, 4 * PAGE, 8 * PAGE, "", 0, 0))
                .isInstanceOfSatisfying(SyscallError.class, e -> assertThat(e.errno()).isEqualTo("ENOMEM"));
        check("blocked");
        assertThat(mm.findVma(a).end()).isEqualTo(a + 4 * PAGE);
        assertThat(committedKb()).isEqualTo(committed);
        assertThat(vmas()).isEqualTo(2);
    }

    @Test
    void maymove_movesThePageTables_sameFramesNoFaults_andUnmapsTheOldRange() {
        long a = m.syscalls().mmapAnon(mm, 0, 4 * PAGE, "rw", false, HUGE);
        m.syscalls().mmapAnon(mm, a + 4 * PAGE, 4 * PAGE, "r", false, PAGE);
        write(a, 4 * PAGE);
        int[] before = frames(a, 4);
        long committed = committedKb();
        long faults = m.vmstat().get("pgfault");
        long b = m.syscalls().mremap(mm, a, 4 * PAGE, 8 * PAGE, "maymove", 0, 0);
        check("move");
        assertThat(b).isNotEqualTo(a);
        assertThat(mm.findVma(a)).isNull();
        assertThat(frames(b, 4)).containsExactly(before);
        assertThat(mm.rssAnon()).isEqualTo(4);
        assertThat(committedKb()).isEqualTo(committed + 4 * 4);
        for (int i = 0; i < 4; i++) {
            m.access(t, b + i * PAGE, true); // the moved PTEs keep their write permission: no fault
        }
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults);
        // recorded: the old range raises SIGSEGV
        assertThatThrownBy(() -> m.access(t, a, false)).hasMessageStartingWith("segmentation fault");
        // the rmap finds each page at its new address: munmap releases them all
        m.syscalls().munmap(mm, b, 8 * PAGE, 0);
        check("unmap");
        assertThat(mm.rssAnon()).isZero();
    }

    @Test
    void aHugePmd_movesWhole_whenAlignedAtBothEnds_andIsSplitOtherwise() {
        Machine m2 = Machine.create(TestConfig.of("machine.memory", "64M", "vmsim.debug_checks", "true",
                "mm.transparent_hugepage.enabled", "always"), new TestCatalog());
        SimProcess q = m2.spawn("q", List.of(0));
        Mm qm = q.mm();
        long a = m2.syscalls().mmapAnon(qm, 0, HUGE, "rw", false, HUGE);
        m2.syscalls().mmapAnon(qm, a + HUGE, PAGE, "r", false, PAGE); // blocks growth in place
        m2.access(q.threads().get(0), a, true);
        long pmd = m2.kernel().lookupLeaf(qm, a);
        assertThat(Pte.huge(pmd)).isTrue();
        long splits = m2.vmstat().get("thp_split_pmd");
        long b = m2.syscalls().mremap(qm, a, HUGE, 2 * HUGE, "maymove", 0, 0);
        m2.debugChecks().check("huge move");
        assertThat(b & (HUGE - 1)).isZero(); // a multiple of 2 MiB is placed 2 MiB-aligned
        long moved = m2.kernel().lookupLeaf(qm, b);
        assertThat(Pte.huge(moved)).isTrue();
        assertThat(Pte.pfn(moved)).isEqualTo(Pte.pfn(pmd));
        assertThat(m2.vmstat().get("thp_split_pmd")).isEqualTo(splits);
        assertThat(qm.depositedTables()).isEqualTo(1); // the deposit moved with the PMD
        // MREMAP_FIXED to a target 4 KiB off a 2 MiB boundary: move_page_tables() splits the PMD
        long target = b + 8 * HUGE + PAGE;
        long c = m2.syscalls().mremap(qm, b, HUGE, HUGE, "maymove|fixed", target, 0);
        m2.debugChecks().check("unaligned move");
        assertThat(c).isEqualTo(target);
        assertThat(m2.vmstat().get("thp_split_pmd")).isEqualTo(splits + 1);
        for (int i = 0; i < 512; i++) {
            long e = m2.kernel().lookupLeaf(qm, c + i * PAGE);
            assertThat(Pte.huge(e)).isFalse();
            assertThat(Pte.pfn(e)).isEqualTo(Pte.pfn(pmd) + i);
        }
        assertThat(qm.rssAnon()).isEqualTo(512);
    }

    @Test
    void arguments_areCheckedAsCheckMremapParamsAndVmaToResizeDo() {
        long a = m.syscalls().mmapAnon(mm, 0, 4 * PAGE, "rw", false, HUGE);
        assertThat(errno(() -> m.syscalls().mremap(mm, a + 1, PAGE, 2 * PAGE, "maymove", 0, 0))).isEqualTo("EINVAL");
        assertThat(errno(() -> m.syscalls().mremap(mm, a, PAGE, 0, "maymove", 0, 0))).isEqualTo("EINVAL");
        assertThat(errno(() -> m.syscalls().mremap(mm, a, PAGE, PAGE, "fixed", a + HUGE, 0))).isEqualTo("EINVAL");
        assertThat(errno(() -> m.syscalls().mremap(mm, a, 4 * PAGE, 4 * PAGE, "maymove|fixed", a + PAGE, 0)))
                .isEqualTo("EINVAL"); // overlapping target
        assertThat(errno(() -> m.syscalls().mremap(mm, a, 4 * PAGE, 8 * PAGE, "maymove|dontunmap", 0, 0)))
                .isEqualTo("EINVAL"); // DONTUNMAP cannot resize
        assertThat(errno(() -> m.syscalls().mremap(mm, a - HUGE, PAGE, 2 * PAGE, "maymove", 0, 0))).isEqualTo("EFAULT");
        assertThat(errno(() -> m.syscalls().mremap(mm, a + PAGE, 4 * PAGE, 8 * PAGE, "maymove", 0, 0)))
                .isEqualTo("EFAULT"); // runs past the area's end
        check("errors");
        assertThat(mm.findVma(a).end()).isEqualTo(a + 4 * PAGE);
    }

    @Test
    void growth_refusedByStrictOvercommit_isENOMEM_andLeavesTheAreaAsItWas() {
        // overcommit_memory=2: CommitLimit = 50% of 64 MiB, no swap = 32 MiB
        long a = m.syscalls().mmapAnon(mm, 0, 16L << 20, "rw", false, HUGE);
        long committed = committedKb();
        assertThat(errno(() -> m.syscalls().mremap(mm, a, 16L << 20, 40L << 20, "maymove", 0, 0))).isEqualTo("ENOMEM");
        check("refused");
        assertThat(committedKb()).isEqualTo(committed);
        assertThat(mm.findVma(a).end()).isEqualTo(a + (16L << 20));
        assertThat(mm.findVma(a).has(VmaFlags.VM_ACCOUNT)).isTrue();
    }

    @Test
    void dontunmap_movesThePages_andLeavesTheOldAreaMappedAndEmpty() {
        long a = m.syscalls().mmapAnon(mm, 0, 4 * PAGE, "rw", false, HUGE);
        write(a, 4 * PAGE);
        int[] before = frames(a, 4);
        long committed = committedKb();
        long b = m.syscalls().mremap(mm, a, 4 * PAGE, 4 * PAGE, "maymove|dontunmap", 0, 0);
        check("dontunmap");
        assertThat(b).isNotEqualTo(a);
        assertThat(frames(b, 4)).containsExactly(before);
        assertThat(frames(a, 4)).containsOnly(-1);
        assertThat(mm.findVma(a)).isNotNull();
        assertThat(committedKb()).isEqualTo(committed + 4 * 4); // the new area is charged whole
        long faults = m.vmstat().get("pgfault");
        m.access(t, a, true); // the old range faults a new page
        assertThat(m.vmstat().get("pgfault")).isEqualTo(faults + 1);
    }

    private static String errno(Runnable r) {
        try {
            r.run();
            return "ok";
        } catch (SyscallError e) {
            return e.errno();
        } catch (io.vmsim.core.mm.WorkloadException e) {
            return "ENOMEM";
        } catch (IllegalArgumentException e) {
            return "EINVAL";
        }
    }
}
