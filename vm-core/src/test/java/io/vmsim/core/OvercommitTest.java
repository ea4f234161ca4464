package io.vmsim.core;

import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.WorkloadException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Overcommit accounting against the rules of Documentation/mm/overcommit-accounting.rst and
 * __vm_enough_memory() in mm/util.c, with limits computed here from MemTotal and SwapTotal.
 */
final class OvercommitTest {
    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "256M", "swap.size", "64M", "mm.transparent_hugepage.enabled", "never"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    /** CommitLimit in pages = MemTotal pages x ratio / 100 + SwapTotal pages. */
    private static long commitLimitPages(Machine m, long ratio) {
        long ram = m.meminfo().get("MemTotal") / 4;
        long swap = m.meminfo().get("SwapTotal") / 4;
        return ram * ratio / 100 + swap;
    }

    private static long map(Machine m, Mm mm, long pages) {
        return m.syscalls().mmapAnon(mm, 0, pages << 12, "rw", false, 4096);
    }

    @Test
    void mode2_commitLimitIsRamTimesRatioPlusSwap_inMeminfo() {
        Machine m = machine("vm.overcommit_memory", "2", "vm.overcommit_ratio", "30");
        assertThat(m.meminfo().get("SwapTotal")).isEqualTo(64L * 1024);
        assertThat(m.meminfo().get("CommitLimit")).isEqualTo(4 * ((65536L * 30 / 100) + 16384));
        assertThat(m.meminfo().get("CommitLimit")).isEqualTo(4 * commitLimitPages(m, 30));
    }

    @Test
    void mode2_commitLimitLeavesOutTheHugetlbPool() {
        Machine m = machine("vm.overcommit_memory", "2", "vm.nr_hugepages", "16");
        assertThat(m.meminfo().get("HugePages_Total")).isEqualTo(16);
        // mm/util.c vm_commit_limit(): (totalram_pages() - hugetlb_total_pages()) * overcommit_ratio / 100 + total_swap_pages
        assertThat(m.meminfo().get("CommitLimit")).isEqualTo(4 * ((65536L - 16 * 512) * 50 / 100 + 16384));
        // the overcommit_kbytes form does not look at RAM at all
        Machine k = machine("vm.overcommit_memory", "2", "vm.nr_hugepages", "16", "vm.overcommit_kbytes", "40960");
        assertThat(k.meminfo().get("CommitLimit")).isEqualTo(40960 + 64L * 1024);
    }

    @Test
    void mode2_allowsCommittedAsUpToJustBelowCommitLimit_andRefusesTheMappingThatWouldReachIt() {
        Machine m = machine("vm.overcommit_memory", "2");
        SimProcess p = m.spawn("db", List.of(0));
        long limit = commitLimitPages(m, 50);
        map(m, p.mm(), limit / 2);
        map(m, p.mm(), limit - 1 - limit / 2);
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo((limit - 1) * 4);
        // mm/util.c allows only while the new total stays strictly below the limit
        assertThatThrownBy(() -> map(m, p.mm(), 1))
                .isInstanceOf(WorkloadException.class)
                .hasMessageContaining("db (pid 1)")
                .hasMessageContaining("mmap of 4096 bytes")
                .hasMessageContaining("ENOMEM");
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo((limit - 1) * 4);
        assertThat(m.vmstat().get("vmsim_overcommit_refused")).isEqualTo(1);
    }

    @Test
    void mode2_chargesPrivateWritableAndSharedAnonymousMappings_andMunmapGivesTheChargeBack() {
        Machine m = machine("vm.overcommit_memory", "2");
        SimProcess p = m.spawn("p", List.of(0));
        long limit = commitLimitPages(m, 50);
        // a read-only private area is not accountable, whatever its size (accountable_mapping())
        m.syscalls().mmapAnon(p.mm(), 0, 4 * limit << 12, "r", false, 4096);
        assertThat(m.meminfo().get("Committed_AS")).isZero();
        // shared anonymous memory is a shmem object charged whole, read-only or not (shmem_acct_size())
        assertThatThrownBy(() -> m.syscalls().mmapAnon(p.mm(), 0, 4 * limit << 12, "rw", true, 4096))
                .isInstanceOf(WorkloadException.class);
        long s = m.syscalls().mmapAnon(p.mm(), 0, (limit / 4) << 12, "r", true, 4096);
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo(limit / 4 * 4);
        m.syscalls().munmap(p.mm(), s, (limit / 4) << 12, 0);
        assertThat(m.meminfo().get("Committed_AS")).isZero();
        long a = map(m, p.mm(), limit - 1);
        assertThatThrownBy(() -> map(m, p.mm(), 1)).isInstanceOf(WorkloadException.class);
        m.syscalls().munmap(p.mm(), a, (limit - 1) << 12, 0);
        assertThat(m.meminfo().get("Committed_AS")).isZero();
        map(m, p.mm(), limit - 1);
    }

    @Test
    void mapNoreserve_isHonouredUnlessOvercommitIsNever() {
        for (String mode : new String[] {"0", "1", "2"}) {
            Machine m = machine("vm.overcommit_memory", mode);
            SimProcess p = m.spawn("p", List.of(0));
            long pages = commitLimitPages(m, 50) / 4;
            m.syscalls().mmapAnon(p.mm(), 0, pages << 12, "rw", false, 4096, true);
            m.syscalls().mmapAnon(p.mm(), 0, pages << 12, "rw", true, 4096, true);
            // do_mmap(): VM_NORESERVE only when sysctl_overcommit_memory != OVERCOMMIT_NEVER
            assertThat(m.meminfo().get("Committed_AS")).as("mode %s", mode).isEqualTo("2".equals(mode) ? 2 * pages * 4 : 0);
        }
    }

    @Test
    void theSharedObjectIsUnchargedWhenItsLastMappingGoes_notAtAPartialUnmapOrAtFork() {
        Machine m = machine("vm.overcommit_memory", "2");
        SimProcess p = m.spawn("p", List.of(0));
        long pages = 1024;
        long s = m.syscalls().mmapAnon(p.mm(), 0, pages << 12, "rw", true, 4096);
        SimProcess c = m.fork(p, 0);
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo(pages * 4);
        m.syscalls().munmap(p.mm(), s, (pages / 2) << 12, 0);
        m.syscalls().exit(p.mm(), 0);
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo(pages * 4);
        m.syscalls().exit(c.mm(), 0);
        assertThat(m.meminfo().get("Committed_AS")).isZero();
    }

    @Test
    void mode2_mprotectMakingAPrivateAreaWritable_isCharged() {
        Machine m = machine("vm.overcommit_memory", "2");
        SimProcess p = m.spawn("p", List.of(0));
        long limit = commitLimitPages(m, 50);
        long a = m.syscalls().mmapAnon(p.mm(), 0, limit << 12, "r", false, 4096);
        assertThatThrownBy(() -> m.syscalls().mprotect(p.mm(), a, limit << 12, "rw")).isInstanceOf(WorkloadException.class);
        m.syscalls().mprotect(p.mm(), a, (limit / 2) << 12, "rw");
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo(limit / 2 * 4);
    }

    @Test
    void mode2_withOvercommitKbytes_limitIsKbytesPlusSwap() {
        Machine m = machine("vm.overcommit_memory", "2", "vm.overcommit_kbytes", "40960");
        assertThat(m.meminfo().get("CommitLimit")).isEqualTo(40960 + 64 * 1024);
    }

    @Test
    void mode1_neverRefuses_evenTerabytes() {
        Machine m = machine("vm.overcommit_memory", "1");
        SimProcess p = m.spawn("p", List.of(0));
        map(m, p.mm(), (1L << 40) >>> 12);
        map(m, p.mm(), (1L << 40) >>> 12);
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo(2L << 30);
    }

    @Test
    void mode0_refusesOnlyASingleMappingLargerThanRamPlusSwap() {
        Machine m = machine();
        SimProcess p = m.spawn("big", List.of(0));
        long total = m.meminfo().get("MemTotal") / 4 + m.meminfo().get("SwapTotal") / 4;
        map(m, p.mm(), total);
        map(m, p.mm(), total); // the heuristic looks at one request, not the sum
        assertThatThrownBy(() -> map(m, p.mm(), total + 1))
                .isInstanceOf(WorkloadException.class)
                .hasMessageContaining("big (pid 1)")
                .hasMessageContaining("larger than RAM + swap");
    }

    @Test
    void exitAndFork_chargeAndReleaseTheAccountedAreas() {
        Machine m = machine("vm.overcommit_memory", "2");
        SimProcess p = m.spawn("p", List.of(0));
        map(m, p.mm(), 1000);
        SimProcess c = m.fork(p, 0);
        assertThat(m.meminfo().get("Committed_AS")).isEqualTo(2000 * 4);
        m.syscalls().exit(c.mm(), 0);
        m.syscalls().exit(p.mm(), 0);
        assertThat(m.meminfo().get("Committed_AS")).isZero();
    }
}
