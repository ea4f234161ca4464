package io.vmsim.core.numa;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code update_task_scan_period()} (kernel/sched/fair.c, Linux 4.19 and later): with
 * period_slot = ceil(period / 10), lr_ratio = 10 x local / (local + remote) and
 * sp_ratio = 10 x shared / (shared + private), the period grows by max(1, lr_ratio - 7) slots
 * when lr_ratio >= 7, else by max(1, sp_ratio - 7) slots when sp_ratio >= 7, and otherwise
 * shrinks by (7 - max(lr_ratio, sp_ratio)) slots. Each expectation below is worked by hand.
 */
final class ScanPeriodTest {
    @Test
    void mostlyLocal_scansSlower() {
        // slot 100; lr 9 -> +2 slots
        assertThat(NumaBalancing.scanPeriodDiff(1000, 90, 10, 0, 100)).isEqualTo(200);
        // lr exactly 7 -> at least one slot; slot ceil(995/10) = 100
        assertThat(NumaBalancing.scanPeriodDiff(995, 70, 30, 0, 100)).isEqualTo(100);
    }

    @Test
    void mostlyShared_scansSlower() {
        // lr 2, sp 8 -> +1 slot of 60
        assertThat(NumaBalancing.scanPeriodDiff(600, 20, 80, 80, 20)).isEqualTo(60);
    }

    @Test
    void privateAndRemote_scansFaster() {
        // lr 1, sp 0 -> -(7 - 1) slots of 100
        assertThat(NumaBalancing.scanPeriodDiff(1000, 10, 90, 0, 100)).isEqualTo(-600);
        // lr 0, sp 5 -> -(7 - 5) slots of 10
        assertThat(NumaBalancing.scanPeriodDiff(100, 0, 40, 20, 20)).isEqualTo(-20);
    }
}
