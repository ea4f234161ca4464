package io.vmsim.core.shrinker;

import io.vmsim.core.vmstat.VmEvent;
import io.vmsim.core.vmstat.VmStat;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** shrink_slab() against the arithmetic of do_shrink_slab() in Linux 4.14's mm/vmscan.c, worked by hand. */
final class ShrinkerRegistryTest {
    /** A cache of plain objects that frees what it is asked to. */
    private static final class Counted implements Shrinker {
        final int seeks;
        long objects;
        long scanned;

        Counted(int seeks, long objects) {
            this.seeks = seeks;
            this.objects = objects;
        }

        @Override
        public String name() {
            return "counted-" + seeks;
        }

        @Override
        public int seeks() {
            return seeks;
        }

        @Override
        public long countObjects() {
            return objects;
        }

        @Override
        public long scanObjects(long nr) {
            scanned += nr;
            long f = Math.min(nr, objects);
            objects -= f;
            return f;
        }
    }

    @Test
    void scanIsProportionalToLruScanning_andInverselyToSeeks_inBatchesWithTheRestDeferred() {
        VmStat vm = new VmStat();
        ShrinkerRegistry r = new ShrinkerRegistry(vm);
        Counted two = new Counted(2, 5000);
        Counted one = new Counted(1, 5000);
        r.register(two);
        r.register(one);
        r.shrinkSlab(1000, 10_000);
        // seeks 2: delta = (4*1000/2) * 5000 / 10001 = 999 < 5000/4, so capped at 2500 (no effect):
        // 7 batches of 128 = 896 scanned, 103 deferred
        assertThat(two.scanned).isEqualTo(896);
        assertThat(r.deferred(0)).isEqualTo(103);
        // seeks 1: delta = 4000 * 5000 / 10001 = 1999: 15 batches = 1920, 79 deferred
        assertThat(one.scanned).isEqualTo(1920);
        assertThat(r.deferred(1)).isEqualTo(79);
        assertThat(vm.get(VmEvent.SLABS_SCANNED)).isEqualTo(896 + 1920);
        // the deferred work is added to the next call: 103 + (2000 * 4104 / 10001 = 820) = 923 -> 7 batches
        r.shrinkSlab(1000, 10_000);
        assertThat(two.scanned - 896).isEqualTo(896);
        assertThat(r.deferred(0)).isEqualTo(923 - 896);
    }

    @Test
    void aLittleScanningNeverDrainsMoreThanHalfACache_andATinyCacheIsScannedWhole() {
        VmStat vm = new VmStat();
        ShrinkerRegistry r = new ShrinkerRegistry(vm);
        Counted big = new Counted(2, 1000);
        Counted tiny = new Counted(2, 10);
        r.register(big);
        r.register(tiny);
        r.shrinkSlab(10, 100);
        // big: delta = 20 * 1000 / 101 = 198 < 250: total min(198, 500) = 198 -> one batch of 128
        assertThat(big.scanned).isEqualTo(128);
        // tiny: delta = 20 * 10 / 101 = 1 < 2: total min(1, 5) = 1, and 1 < freeable so nothing is scanned
        assertThat(tiny.scanned).isZero();
        assertThat(r.deferred(1)).isEqualTo(1);
    }
}
