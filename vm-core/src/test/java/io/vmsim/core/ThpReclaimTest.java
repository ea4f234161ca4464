package io.vmsim.core;

import io.vmsim.core.mm.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reclaim meets transparent huge pages: it splits them (split_folio_to_list) and swaps the pieces. */
final class ThpReclaimTest {
    @Test
    void underPressureWithSwap_hugePagesAreSplitAndSwappedOut_andEveryPageReadsBack() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", "256M",
                "mm.transparent_hugepage.enabled", "always", "policy.reclaim", "exact-lru"), new TestCatalog());
        SimProcess p = m.spawn("hog", List.of(0));
        Task t = p.threads().get(0);
        long size = 128L << 20;
        long a = m.syscalls().mmapAnon(p.mm(), 0, size, "rw", false, 2L << 20);
        for (long off = 0; off < size; off += 4096) {
            m.access(t, a + off, true);
        }
        for (long off = 0; off < size; off += 4096) {
            m.access(t, a + off, false);
        }
        var v = m.vmstat();
        assertThat(v.get("thp_fault_alloc")).isPositive();
        assertThat(v.get("thp_split_page")).isPositive();
        assertThat(v.get("pswpout")).isPositive();
        assertThat(v.get("pswpin")).isPositive();
        assertThat(p.mm().rssAnon() + p.mm().swapEnts).isEqualTo(size / 4096);
        m.kernel().allocator.verify();
    }
}
