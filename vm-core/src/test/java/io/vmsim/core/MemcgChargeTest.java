package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The page counter of a memory cgroup as {@code try_charge_memcg()} (mm/memcontrol.c, Linux
 * 6.18) drives it: batch charges into the per-CPU stock, {@code failcnt} counting every failed
 * {@code page_counter_try_charge()}, and page-table pages charged to the group. The expected
 * values come from a reference model of those rules written here, not from vmsim.
 */
final class MemcgChargeTest {
    private static final int PAGE = 4096;
    /** MEMCG_CHARGE_BATCH (include/linux/memcontrol.h). */
    private static final int BATCH = 64;
    /** SWAP_CLUSTER_MAX: the pages try_to_free_mem_cgroup_pages() asks for (memcg.reclaim_batch). */
    private static final int RECLAIM = 32;
    /** sizeof(struct xa_node) in its slab (584) plus the objcg pointer of an accounted object. */
    private static final int NODE = 584 + 8;

    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "64M", "swap.size", "0", "mm.transparent_hugepage.enabled", "never",
                "policy.reclaim", "exact-lru", "block.read_ahead_kb", "0", "vm.overcommit_memory", "1",
                "vmsim.debug_checks", "true"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    /**
     * A brute-force reference of try_charge_memcg() for one CPU and one group, charging one
     * page at a time, with reclaim that frees {@code RECLAIM} clean pages a call, and the page
     * cache's xarray nodes charged through the object stock.
     */
    private static final class Reference {
        final long max;
        long usage;
        long peak;
        long stock;
        long failcnt;
        long charged;

        Reference(long max) {
            this.max = max;
        }

        /** page_counter_try_charge(): fails, counting it, if the charge would pass max. */
        private boolean counterTryCharge(long n) {
            if (usage + n > max) {
                failcnt++;
                return false;
            }
            usage += n;
            peak = Math.max(peak, usage);
            return true;
        }

        void chargeOne() {
            chargePage();
            charged++;
        }

        /** try_charge_memcg() of one page with reclaim. */
        private void chargePage() {
            long batch = BATCH;
            while (true) {
                if (stock >= 1) { // consume_stock()
                    stock--;
                    break;
                }
                if (counterTryCharge(batch)) {
                    stock += batch - 1; // refill_stock()
                    break;
                }
                if (batch > 1) {
                    batch = 1;
                    continue;
                }
                long freed = Math.min(RECLAIM, charged); // try_to_free_mem_cgroup_pages()
                charged -= freed;
                usage -= freed;
                // mem_cgroup_margin() >= 1 here: clean page cache always frees, so retry
            }
        }

        /** Bytes in the CPU's object stock (obj_stock_pcp.nr_bytes), and the pages charged as kernel memory. */
        long objBytes;
        long kmem;

        /**
         * A leaf xarray node of the page cache (radix_tree_node, 584 bytes + the 8-byte objcg
         * pointer; every i_pages has XA_FLAGS_ACCOUNT), charged as an object: from the object
         * stock if it holds enough (consume_obj_stock()), else a page is charged with GFP_NOWAIT
         * first (xas_alloc(): the stock, a batch, one page, no reclaim), then with reclaim
         * (xas_nomem()), and the rest of the page goes to the object stock (refill_obj_stock()).
         */
        void chargeNode() {
            if (objBytes >= NODE) {
                objBytes -= NODE;
                return;
            }
            boolean nowait;
            if (stock >= 1) {
                stock--;
                nowait = true;
            } else if (counterTryCharge(BATCH)) {
                stock += BATCH - 1;
                nowait = true;
            } else {
                nowait = counterTryCharge(1);
            }
            if (!nowait) {
                chargePage();
            }
            kmem++;
            objBytes += PAGE - NODE;
        }
    }

    @Test
    void pageCacheAtTheLimit_countsTheFailedBatchOfEveryCharge_andTheFailedSinglePageBeforeReclaim() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        long maxPages = 1000; // not a multiple of the batch: the last batch does not fit
        int id = r.createCgroup("g", maxPages * PAGE, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = m.spawn("reader", List.of(0));
        p.mm().memcg = id;
        PageCache pc = r.pageCache();
        int pages = 3000;
        int f = pc.createFile("f", (long) pages * PAGE);
        Reference ref = new Reference(maxPages);
        for (int i = 0; i < pages; i++) {
            pc.read(p.mm(), 0, f, i);
            ref.chargeOne();
            if (i % 64 == 0) {
                ref.chargeNode(); // __filemap_add_folio() stores the page in a new leaf node
            }
            assertThat(cg.current).as("usage after page %d", i).isEqualTo(ref.usage);
        }
        assertThat(cg.failcnt).isEqualTo(ref.failcnt);
        assertThat(cg.peak).isEqualTo(ref.peak).isEqualTo(maxPages);
        assertThat(cg.file).isEqualTo(ref.charged);
        assertThat(cg.kmem).isEqualTo(ref.kmem);
        // the counter holds the user pages, the kernel memory and the page stock
        assertThat(cg.current).isEqualTo(ref.charged + ref.kmem + ref.stock);
        m.debugChecks().check("test");
    }

    @Test
    void withinTheLimit_theCounterHoldsWholeBatches_andPageTablesAreCharged_thenFreedIntoTheStock() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("g", 32L << 20, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = m.spawn("writer", List.of(0));
        p.mm().memcg = id; // after the fork: the tables it has so far stay charged to the parent's group
        long before = p.mm().pageTablePages();
        Task t = p.threads().get(0);
        long len = 16L << 20;
        long a = m.syscalls().mmapAnon(p.mm(), 0, len, "rw", false, PAGE);
        for (long off = 0; off < len; off += PAGE) {
            m.access(t, a + off, true);
        }
        long tables = p.mm().pageTablePages() - before;
        assertThat(tables).isGreaterThanOrEqualTo(len / (2L << 20)); // one PTE table per 2 MiB at least
        // the area's vm_area_struct, anon_vma and anon_vma_chain (200 + 112 + 72 bytes): the
        // obj_cgroup takes whole pages for them (obj_cgroup_charge_account())
        long objPages = 1;
        assertThat(cg.kmem).isEqualTo(tables + objPages);
        assertThat(cg.anon).isEqualTo(len / PAGE);
        long charged = cg.anon + cg.kmem;
        long batches = (charged + BATCH - 1) / BATCH;
        assertThat(cg.current).isEqualTo(batches * BATCH);
        assertThat(cg.peak).isEqualTo(batches * BATCH);
        assertThat(cg.failcnt).isZero();
        m.syscalls().exit(p.mm(), 0);
        // user pages go back to the counter; page tables to the stock (refill_stock), which
        // holds at most one batch before it drains
        long stock = batches * BATCH - charged + tables;
        assertThat(cg.anon).isZero();
        // the freed objects fill the object stock to exactly one page, which is not above
        // PAGE_SIZE: it stays charged as kernel memory (refill_obj_stock())
        assertThat(cg.kmem).isEqualTo(objPages);
        assertThat(cg.current).isEqualTo((stock <= BATCH ? stock : 0) + objPages);
        m.debugChecks().check("test");
    }
}
