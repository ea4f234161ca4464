package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.filemap.Truncate;
import io.vmsim.core.memcg.RcuFrees;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a {@code write()} to an ordinary (disk) file costs a memory cgroup besides the page: the
 * buffer head ext4 attaches to the page ({@code create_empty_buffers()}, charged with
 * {@code __GFP_ACCOUNT} to the page's group), against conformance/writeback/memcg-failcnt-per-page.json,
 * where Linux 6.18.44 charged 122 bytes of kernel memory a page written (pages 2048 to 4096 of a
 * file written a page at a time): a buffer head (104-byte slot plus the 8-byte objcg pointer)
 * and the page cache's xarray nodes (a 592-byte leaf per 64 pages, 9.25 bytes a page; vmsim
 * leaves out the interior nodes, one per 4096 pages). Truncation gives both back, the nodes after
 * an RCU grace period. And the CPU a write() costs a page ({@code cost.write_page_ns},
 * conformance/writeback/pwrite-cost.c).
 */
final class PageCacheBuffersTest {
    private static final int PAGES = 2048;

    @SuppressWarnings("unchecked")
    private static double measuredKmemBytesPerPage() throws IOException {
        Map<String, Object> rec = Recordings.load("conformance/writeback/memcg-failcnt-per-page.json");
        Map<String, Object> at = (Map<String, Object>) rec.get("kmem_bytes_at_page");
        return (((Number) at.get("4096")).doubleValue() - ((Number) at.get("2048")).doubleValue()) / 2048.0;
    }

    private static Machine machine(String writePageNs) {
        return Machine.create(TestConfig.of("machine.memory", "256M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "linux-2list", "vm.overcommit_memory", "1",
                "cost.write_page_ns", writePageNs, "vmsim.debug_checks", "true"), new TestCatalog());
    }

    @Test
    void writingADiskFile_chargesABufferHeadAPageAndTheXarrayNodes_toTheWritersGroup_andTruncationFreesThem() throws IOException {
        Machine m = machine("0");
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("writer", Long.MAX_VALUE, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = m.spawn("writer", List.of(0));
        Mm mm = p.mm();
        mm.memcg = id;
        PageCache pc = r.pageCache();
        int f = pc.createFile("f", (long) PAGES * 4096);
        long kmem0 = cg.kmem * 4096 - r.lruDomains().stock().objStocked(cg) - cg.nrChargedBytes;
        for (int i = 0; i < PAGES; i++) {
            pc.write(mm, mm.cpu, f, i);
        }
        // bytes handed out to objects: the pages kmem took, less the bytes still in the object stock
        long objects = cg.kmem * 4096 - r.lruDomains().stock().objStocked(cg) - cg.nrChargedBytes - kmem0;
        assertThat(objects).as("bytes charged for the buffer heads and leaf xarray nodes of %d pages", PAGES)
                .isEqualTo((long) PAGES * AccountedSlabs.BUFFER_HEAD + (PAGES / 64) * (long) AccountedSlabs.RADIX_TREE_NODE);
        double linux = measuredKmemBytesPerPage();
        assertThat((double) objects / PAGES).as("vmsim's kmem a page against Linux's %s", linux)
                .isBetween(linux - 1, linux + 1);
        // writing the pages again attaches nothing more: they have their buffers
        long kmemAfter = cg.kmem;
        for (int i = 0; i < PAGES; i++) {
            pc.write(mm, mm.cpu, f, i);
        }
        assertThat(cg.kmem).isEqualTo(kmemAfter);

        // ftruncate(0): the buffer heads go back at once, the xarray nodes after a grace period
        new Truncate(m.kernel(), pc).truncate(f, 0, mm.cpu);
        long left = cg.kmem * 4096 - r.lruDomains().stock().objStocked(cg) - cg.nrChargedBytes - kmem0;
        assertThat(left).as("bytes still charged after the truncation, before the grace period")
                .isEqualTo((PAGES / 64) * (long) AccountedSlabs.RADIX_TREE_NODE);
        m.kernel().clock.advance(2 * RcuFrees.GRACE_PERIOD_NS * 1000);
        m.kernel().hooks.rcuCallbacks();
        left = cg.kmem * 4096 - r.lruDomains().stock().objStocked(cg) - cg.nrChargedBytes - kmem0;
        assertThat(left).as("bytes still charged after the grace period").isZero();
    }

    @Test
    void aWriteOfACachedPage_costsTheCopyAndTheWritePathsCpu() {
        Machine m = machine("7700");
        Reclaim r = Reclaim.of(m.kernel());
        SimProcess p = m.spawn("writer", List.of(0));
        PageCache pc = r.pageCache();
        int f = pc.createFile("f", 4096);
        pc.write(p.mm(), 0, f, 0);
        long before = m.kernel().clock.nanoTime();
        pc.write(p.mm(), 0, f, 0); // a hit: no allocation, no I/O
        // cost.copy_4k_ns (600, the default) plus cost.write_page_ns
        assertThat(m.kernel().clock.nanoTime() - before).isEqualTo(600 + 7700);
    }
    @Test
    void withCgroupMemoryNokmem_writingAndReadingAFile_chargeTheGroupItsPagesOnly() {
        // memcg.kmem=false is the boot option cgroup.memory=nokmem: memcg_kmem_online() is false,
        // __GFP_ACCOUNT charges nothing, and the group's usage is its user pages (and page stock)
        Machine m = Machine.create(TestConfig.of("machine.memory", "256M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "linux-2list", "vm.overcommit_memory", "1",
                "memcg.kmem", "false", "vmsim.debug_checks", "true"), new TestCatalog());
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", Long.MAX_VALUE, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = m.spawn("g", List.of(0));
        p.mm().memcg = id;
        PageCache pc = r.pageCache();
        int written = pc.createFile("written", (long) PAGES << 12);
        int read = pc.createFile("read", (long) PAGES << 12);
        for (int i = 0; i < PAGES; i++) {
            pc.write(p.mm(), 0, written, i);
            pc.read(p.mm(), 0, read, i);
        }
        assertThat(cg.file).isEqualTo(2L * PAGES);
        assertThat(cg.kmem).isZero();
        assertThat(cg.current).isEqualTo(cg.file + r.lruDomains().stock().stocked(cg));
        m.debugChecks().check("test");
    }
}
