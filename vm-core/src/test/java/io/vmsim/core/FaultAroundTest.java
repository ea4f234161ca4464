package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.mm.Task;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fault-around ({@code do_fault_around()}, mm/memory.c) and per-task fault counts ({@code mm_account_fault()}). */
final class FaultAroundTest {
    private static Machine machine(String... kv) {
        return Machine.create(TestConfig.of(kv), new TestCatalog());
    }

    /**
     * Read faults over a partly cached file mapped at an address that is not window-aligned and
     * from a non-zero file offset: the pages mapped and the faults taken are those of a reference
     * model written from do_fault_around()'s formula (window of fault_around_bytes aligned in the
     * PTE table, clamped to the VMA and to the table), with every cached page of the window mapped.
     */
    @ParameterizedTest
    @CsvSource({"65536, 1", "65536, 2", "16384, 3", "4096, 4", "2097152, 5", "32768, 6"})
    void readFaults_mapTheCachedPagesOfTheAlignedWindow_asTheKernelsFormula(long bytes, long seed) {
        Machine m = machine("vm.fault_around_bytes", Long.toString(bytes), "block.read_ahead_kb", "0",
                "vmsim.debug_checks", "true");
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int filePages = 1200;
        int f = pc.createFile("data", filePages * 4096L);
        Random r = new Random(seed);
        Set<Long> cached = new HashSet<>();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        for (long i = 0; i < filePages; i++) {
            if (r.nextInt(3) != 0) {
                pc.write(p.mm(), 0, f, i);
                cached.add(i);
            }
        }
        long pgoff = 7;
        long pages = 700;
        // 2 MiB-aligned plus 5 pages: the VMA starts inside a window and inside a PTE table
        long addr = 0x4000_0000_0000L + 5 * 4096;
        long a = m.syscalls().mmapFile(p.mm(), addr, pages * 4096, "r", false, f, pgoff);
        long nr = Math.max(1, Long.highestOneBit(bytes >>> 12));
        Set<Long> mapped = new HashSet<>();
        long expectedFaults = 0;
        for (int n = 0; n < 3000; n++) {
            long page = r.nextInt((int) pages);
            boolean fault = !mapped.contains(page);
            if (fault) {
                expectedFaults++;
                long va = a + page * 4096;
                long pte = (va >>> 12) & 511;
                long from = Math.max(pte & -nr, pte - Math.min(pte, page));
                long to = Math.min(Math.min(from + nr, 512), pte + pages - page) - 1;
                for (long j = from; j <= to; j++) {
                    long q = page + j - pte;
                    if (cached.contains(pgoff + q)) {
                        mapped.add(q);
                    }
                }
                mapped.add(page); // a miss reads the page alone (no readahead here) and maps it
                cached.add(pgoff + page);
            }
            long before = t.minFlt() + t.majFlt();
            m.access(t, a + page * 4096, false);
            assertThat(t.minFlt() + t.majFlt() - before).as("faults at page %d", page).isEqualTo(fault ? 1 : 0);
        }
        assertThat(t.minFlt() + t.majFlt()).isEqualTo(expectedFaults);
        assertThat(m.vmstat().get("pgfault")).isEqualTo(expectedFaults);
        long present = 0;
        for (long q = 0; q < pages; q++) {
            present += m.kernel().lookupLeaf(p.mm(), a + q * 4096) != 0 ? 1 : 0;
        }
        assertThat(present).isEqualTo(mapped.size());
        assertThat(p.mm().rssFile).isEqualTo(mapped.size());
        m.debugChecks().check("after the faults");
    }

    @Test
    void writeFaults_neverFaultAround_privateOrShared() {
        Machine m = machine();
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("data", 64 * 4096);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        for (long i = 0; i < 64; i++) {
            pc.write(p.mm(), 0, f, i);
        }
        long priv = m.syscalls().mmapFile(p.mm(), 0, 32 * 4096, "rw", false, f, 0);
        long shared = m.syscalls().mmapFile(p.mm(), 0, 32 * 4096, "rw", true, f, 32);
        for (long i = 0; i < 32; i++) {
            m.access(t, priv + i * 4096, true);
            m.access(t, shared + i * 4096, true);
        }
        // do_cow_fault() and do_shared_fault() map one page each
        assertThat(t.minFlt()).isEqualTo(64);
        assertThat(t.majFlt()).isZero();
    }

    @Test
    void aFaultEndingInSigbus_countsInPgfault_butNotInTheTasksFaults() {
        Machine m = machine();
        PageCache pc = Reclaim.of(m.kernel()).pageCache();
        int f = pc.createFile("small", 4096);
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        long a = m.syscalls().mmapFile(p.mm(), 0, 4 * 4096, "r", true, f, 0);
        m.access(t, a, false);
        assertThat(t.majFlt()).isEqualTo(1);
        assertThat(t.minFlt()).isZero();
        assertThatThrownBy(() -> m.access(t, a + 4096, false)).isInstanceOf(WorkloadException.class)
                .hasMessageContaining("beyond the end");
        // handle_mm_fault() counted PGFAULT; mm_account_fault() skipped VM_FAULT_SIGBUS
        assertThat(m.vmstat().get("pgfault")).isEqualTo(2);
        assertThat(t.minFlt() + t.majFlt()).isEqualTo(1);
        assertThat(p.minFlt() + p.majFlt()).isEqualTo(1);
    }
}
