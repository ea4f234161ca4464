package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dentry and inode caches fill with path lookups and give memory back under reclaim. */
final class SlabShrinkTest {
    @Test
    void filledSlabCaches_shrinkWhenPageCachePressureMakesReclaimScan() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru"), new TestCatalog());
        Reclaim r = Reclaim.of(m.kernel());
        SimProcess p = m.spawn("find", List.of(0));
        for (int i = 0; i < 30_000; i++) {
            assertThat(r.lookupNewPath(p.mm(), 0)).isTrue();
        }
        // 30000 dentries at 21 per page and 30000 inodes at 6 per page
        long slab = (30_000 + 20) / 21 + 30_000 / 6;
        assertThat(r.slabPages()).isEqualTo(slab);
        assertThat(m.meminfo().get("SReclaimable")).isEqualTo(slab * 4);
        PageCache pc = r.pageCache();
        int f = pc.createFile("big", 128L << 20);
        for (long i = 0; i < (128L << 20) >>> 12; i++) {
            pc.read(p.mm(), 0, f, i);
            if ((i & 63) == 0) {
                m.tick();
            }
        }
        assertThat(m.vmstat().get("slabs_scanned")).isPositive();
        assertThat(r.slabPages()).isLessThan(slab);
        m.kernel().allocator.verify();
        r.verify();
    }
}
