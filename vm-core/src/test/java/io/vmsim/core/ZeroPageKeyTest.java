package io.vmsim.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code vm.zero_page}: Linux maps the shared zero page on a read fault of private anonymous memory; false allocates. */
final class ZeroPageKeyTest {
    private static long[] readThenWrite(String zeroPage) {
        Machine m = Machine.create(TestConfig.of("mm.transparent_hugepage.enabled", "never", "machine.memory", "64M",
                "vm.zero_page", zeroPage), new TestCatalog());
        SimProcess p = m.spawn("t", List.of(0));
        long a = m.syscalls().mmapAnon(p.mm(), 0, 16 * 4096, "rw", false, 4096);
        for (int i = 0; i < 16; i++) {
            m.access(p.threads().get(0), a + i * 4096L, false);
        }
        long rssAfterRead = p.mm().rssAnon();
        long faultsBefore = m.vmstat().get("pgfault");
        for (int i = 0; i < 16; i++) {
            m.access(p.threads().get(0), a + i * 4096L, true);
        }
        return new long[] {rssAfterRead, m.vmstat().get("pgfault") - faultsBefore, p.mm().rssAnon()};
    }

    @Test
    void onByDefault_readsMapTheZeroPage_andWritesFaultAgain() {
        assertThat(readThenWrite("true")).containsExactly(0, 16, 16);
    }

    @Test
    void off_readsAllocateWritableFrames_andWritesDoNotFault() {
        assertThat(readThenWrite("false")).containsExactly(16, 0, 16);
    }
}
