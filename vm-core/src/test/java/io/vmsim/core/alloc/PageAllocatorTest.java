package io.vmsim.core.alloc;

import static io.vmsim.core.alloc.Gfp.GFP_ATOMIC;
import static io.vmsim.core.alloc.Gfp.GFP_HIGHUSER_MOVABLE;
import static io.vmsim.core.alloc.Gfp.GFP_KERNEL;
import static io.vmsim.core.alloc.Gfp.GFP_TRANSHUGE_LIGHT;
import static io.vmsim.core.alloc.Gfp.__GFP_THISNODE;
import static io.vmsim.core.alloc.MigrateType.MIGRATE_MOVABLE;
import static io.vmsim.core.alloc.MigrateType.MIGRATE_UNMOVABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class PageAllocatorTest {

    private static PageAllocator allocator(int nrFrames, int batch) {
        return new PageAllocator(new PageFrames(nrFrames, new int[] {0}), 2, -1, 10, batch);
    }

    private static long[] freeCounts(Zone z) {
        long[] c = new long[Zone.NR_PAGE_ORDERS];
        for (int o = 0; o < c.length; o++) {
            c[o] = z.nrFree(o);
        }
        return c;
    }

    // ---- watermarks: values worked by hand from calculate_min_free_kbytes() and
    // __setup_per_zone_wmarks() in mm/page_alloc.c

    @Test
    void minFreeKbytes_isSqrtOfSixteenTimesLowmem_clampedTo128And262144() {
        assertThat(PageAllocator.calculateMinFreeKbytes(1L << 20)).isEqualTo(4096); // 1 GiB
        assertThat(PageAllocator.calculateMinFreeKbytes(4L << 20)).isEqualTo(8192); // 4 GiB
        assertThat(PageAllocator.calculateMinFreeKbytes(1000)).isEqualTo(128);     // sqrt(16000) = 126
        assertThat(PageAllocator.calculateMinFreeKbytes(1L << 40)).isEqualTo(262144);
        assertThat(PageAllocator.calculateMinFreeKbytes(17)).isEqualTo(128);
    }

    @Test
    void watermarks_ofOneGibibyteInOneZone_followSetupPerZoneWmarks() {
        PageAllocator a = allocator(262144, 63);
        // lowmem 1048576 kB -> min_free_kbytes 4096 -> 1024 pages; distance
        // max(1024/4, mult_frac(262144, 10, 10000) = 26*10 + 2144*10/10000 = 262) = 262.
        assertThat(a.minFreeKbytes()).isEqualTo(4096);
        Zone z = a.zone(0);
        assertThat(z.name()).isEqualTo("DMA32");
        assertThat(z.watermark(Zone.WMARK_MIN)).isEqualTo(1024);
        assertThat(z.watermark(Zone.WMARK_LOW)).isEqualTo(1286);
        assertThat(z.watermark(Zone.WMARK_HIGH)).isEqualTo(1548);
    }

    @Test
    void watermarks_ofTwoZones_shareMinByManagedPages() {
        PageAllocator a = new PageAllocator(new PageFrames(262144, new int[] {0}), 1, -1, 10, 63, 65536);
        Zone dma32 = a.zone(0);
        Zone normal = a.zone(1);
        // DMA32: 1024 * 65536 / 262144 = 256; distance max(64, 6*10 + 5536*10/10000 = 65) = 65.
        assertThat(new long[] {dma32.watermark(0), dma32.watermark(1), dma32.watermark(2)})
                .containsExactly(256, 321, 386);
        // Normal: 1024 * 196608 / 262144 = 768; distance max(192, 19*10 + 6608*10/10000 = 196) = 196.
        assertThat(new long[] {normal.watermark(0), normal.watermark(1), normal.watermark(2)})
                .containsExactly(768, 964, 1160);
    }

    @Test
    void watermarks_withLargeScaleFactor_useManagedFractionAsDistance() {
        // min_free_kbytes 1000 -> 250 pages; distance max(62, mult_frac(8192, 200, 10000) = 0*200 + 8192*200/10000 = 163).
        PageAllocator a = new PageAllocator(new PageFrames(8192, new int[] {0}), 1, 1000, 200, 63);
        Zone z = a.zone(0);
        assertThat(new long[] {z.watermark(0), z.watermark(1), z.watermark(2)}).containsExactly(250, 413, 576);
    }

    // ---- zone layout

    @Test
    void zones_followTheFourGibibyteDma32Limit_perNode() {
        PageAllocator a = new PageAllocator(new PageFrames(4096, new int[] {0, 1536, 3072}), 1, 0, 10, 8, 2048);
        assertThat(a.zones()).extracting(Zone::toString).containsExactly(
                "Node 0, zone DMA32", "Node 1, zone DMA32", "Node 1, zone Normal", "Node 2, zone Normal");
        assertThat(a.zone(1).startPfn()).isEqualTo(1536);
        assertThat(a.zone(1).endPfn()).isEqualTo(2048);
        assertThat(a.zoneOf(2047).id()).isEqualTo(1);
        assertThat(a.zoneOf(2048).id()).isEqualTo(2);
        assertThat(a.zoneOf(4095).id()).isEqualTo(3);
        assertThat(a.zoneOf(0).id()).isEqualTo(0);
    }

    @Test
    void zones_ofMachineBelowFourGibibytes_areAllDma32() {
        PageAllocator a = allocator(4096, 8);
        assertThat(a.zones()).extracting(Zone::name).containsExactly("DMA32");
    }

    // ---- buddy mechanics

    @Test
    void allocatingOnePage_fromOneMaxOrderBlock_leavesOneFreeBlockOfEachLowerOrder() {
        PageAllocator a = allocator(1024, 1);
        assertThat(freeCounts(a.zone(0))).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        int pfn = a.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0, 0);
        assertThat(pfn).isZero();
        assertThat(freeCounts(a.zone(0))).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0);
        assertThat(a.zone(0).pcp(0).count()).isZero();
        assertThat(a.freePages()).isEqualTo(1023);
        a.verify();
    }

    @Test
    void freeingThePage_coalescesBackIntoOneMaxOrderBlock() {
        PageAllocator a = allocator(1024, 1);
        int pfn = a.allocPages(GFP_KERNEL, 3, 0, 0);
        a.frames().setRefcount(pfn, 0);
        a.freePages(pfn, 3, 0);
        assertThat(freeCounts(a.zone(0))).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        a.verify();
    }

    @Test
    void fallback_ofMaxOrderBlock_changesEveryPageblockItCovers() {
        PageAllocator a = allocator(1024, 1);
        assertThat(a.zone(0).pageblockMigratetype(0)).isEqualTo(MIGRATE_MOVABLE);
        a.allocPages(GFP_KERNEL, 0, 0, 0);
        assertThat(a.zone(0).pageblockMigratetype(0)).isEqualTo(MIGRATE_UNMOVABLE);
        assertThat(a.zone(0).pageblockMigratetype(512)).isEqualTo(MIGRATE_UNMOVABLE);
        assertThat(a.zone(0).freeListHead(9, MIGRATE_UNMOVABLE)).isEqualTo(512);
        a.verify();
    }

    @Test
    void fallback_ofSmallerBlock_stealsItsWholePageblock() {
        PageAllocator a = allocator(1024, 1);
        Zone z = a.zone(0);
        assertThat(a.allocPages(GFP_HIGHUSER_MOVABLE, 9, 0, 0)).isZero();
        assertThat(a.allocPages(GFP_HIGHUSER_MOVABLE, 8, 0, 0)).isEqualTo(512);
        // Free: one order-8 block at 768, movable. An unmovable page must steal from it; the
        // pageblock 512..1023 holds 256 free and 256 non-LRU pages: enough to claim it.
        int pfn = a.allocPages(GFP_KERNEL, 0, 0, 0);
        assertThat(pfn).isEqualTo(768);
        assertThat(z.pageblockMigratetype(512)).isEqualTo(MIGRATE_UNMOVABLE);
        assertThat(z.pageblockMigratetype(0)).isEqualTo(MIGRATE_MOVABLE);
        for (int o = 0; o < 8; o++) {
            assertThat(z.freeListHead(o, MIGRATE_UNMOVABLE)).as("order %d", o).isEqualTo(768 + (1 << o));
            assertThat(z.freeListHead(o, MIGRATE_MOVABLE)).isEqualTo(-1);
        }
        a.verify();
    }

    @Test
    void fallback_ofPageblockWithMostlyLruPages_movesFreePagesButKeepsBlockType() {
        PageAllocator a = allocator(1024, 1);
        Zone z = a.zone(0);
        a.allocPages(GFP_HIGHUSER_MOVABLE, 9, 0, 0);
        for (int i = 0; i < 4; i++) {
            int pfn = a.allocPages(GFP_HIGHUSER_MOVABLE, 6, 0, 0);
            for (int p = pfn; p < pfn + 64; p++) {
                a.frames().set(p, PageFrames.PG_LRU);
            }
        }
        // 512..767 are LRU pages (alike for movable, not for unmovable): 256 free + 0 alike
        // reaches half a pageblock, so the block is claimed; now make it fall short.
        int more = a.allocPages(GFP_HIGHUSER_MOVABLE, 7, 0, 0);
        for (int p = more; p < more + 128; p++) {
            a.frames().set(p, PageFrames.PG_LRU);
        }
        int pfn = a.allocPages(GFP_KERNEL, 0, 0, 0);
        assertThat(pfn).isGreaterThanOrEqualTo(896);
        assertThat(z.pageblockMigratetype(512)).isEqualTo(MIGRATE_MOVABLE);
        assertThat(z.freeListHead(6, MIGRATE_UNMOVABLE)).isNotEqualTo(-1);
        a.verify();
    }

    @Test
    void compoundAllocation_marksHeadAndTails_andFreesWithItsOrder() {
        PageAllocator a = allocator(2048, 8);
        PageFrames f = a.frames();
        int head = a.allocPages(GFP_TRANSHUGE_LIGHT, 9, 0, 0);
        assertThat(f.isHead(head)).isTrue();
        assertThat(f.refcount(head)).isEqualTo(1);
        assertThat(a.compoundOrder(head)).isEqualTo(9);
        assertThat(f.test(head + 511, PageFrames.PG_TAIL)).isTrue();
        assertThat(f.refcount(head + 511)).isZero();
        assertThat(a.compoundHead(head + 300)).isEqualTo(head);
        assertThat(a.compoundHead(head)).isEqualTo(head);
        f.setRefcount(head, 0);
        assertThatThrownBy(() -> a.freePages(head, 8, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("order 9");
        a.freePages(head, 9, 0);
        assertThat(f.test(head + 511, PageFrames.PG_TAIL)).isFalse();
        assertThat(a.zone(0).nrFree(Zone.MAX_ORDER)).isEqualTo(2);
        a.verify();
    }

    @Test
    void freePages_ofReferencedOrFreePage_isABadPageState() {
        PageAllocator a = allocator(1024, 8);
        int pfn = a.allocPages(GFP_KERNEL, 0, 0, 0);
        assertThatThrownBy(() -> a.freePages(pfn, 0, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refcount 1");
        a.frames().setRefcount(pfn, 0);
        a.freePages(pfn, 0, 0);
        assertThatThrownBy(() -> a.freePages(pfn, 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> a.freePages(1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isFreeFrame_seesFramesInsideFreeBlocksAndOnPcpLists() {
        PageAllocator a = allocator(1024, 4);
        int pfn = a.allocPages(GFP_KERNEL, 0, 0, 0);
        assertThat(a.isFreeFrame(pfn)).isFalse();
        assertThat(a.isFreeFrame(pfn + 1)).isTrue();   // on the pcp list
        assertThat(a.isFreeFrame(1000)).isTrue();      // inside the order-9 block at 512
        assertThat(a.frames().isFree(1000)).isFalse(); // not a head: the FrameView cannot tell
    }

    // ---- per-CPU lists

    @Test
    void pcp_refillsByBatch_whenEmpty() {
        PageAllocator a = allocator(1024, 63);
        Zone z = a.zone(0);
        a.allocPages(GFP_HIGHUSER_MOVABLE, 0, 1, 0);
        assertThat(z.pcp(1).count()).isEqualTo(62);
        assertThat(z.pcp(0).count()).isZero();
        assertThat(z.nrFreePages()).isEqualTo(1024 - 63);
        assertThat(a.freePages()).isEqualTo(1023);
        assertThat(a.counter("nr_free_pages")).isEqualTo(1024 - 63);
        a.verify();
    }

    @Test
    void pcp_drainsOneBatch_whenCountReachesHigh() {
        PageAllocator a = allocator(1024, 4);
        Zone z = a.zone(0);
        assertThat(z.pcp(0).high()).isEqualTo(24);
        List<Integer> pages = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            pages.add(a.allocPages(GFP_KERNEL, 0, 0, 0));
        }
        assertThat(z.pcp(0).count()).isEqualTo(2); // 8 batches of 4 taken, 30 used
        for (int i = 0; i < 23; i++) {
            int pfn = pages.get(i);
            a.frames().setRefcount(pfn, 0);
            a.freePages(pfn, 0, 1);
        }
        assertThat(z.pcp(1).count()).isEqualTo(23);
        int pfn = pages.get(23);
        a.frames().setRefcount(pfn, 0);
        a.freePages(pfn, 0, 1);
        assertThat(z.pcp(1).count()).isEqualTo(20);
        a.verify();
        a.drainAll();
        assertThat(z.pcpPages()).isZero();
        assertThat(z.nrFreePages()).isEqualTo(1024 - 6);
        a.verify();
    }

    // ---- zonelists and the slow path

    @Test
    void thisNode_failsWhenTheNodeIsFull_whileOthersFallBack() {
        PageAllocator a = new PageAllocator(new PageFrames(2048, new int[] {0, 1024}), 1, 0, 10, 8);
        assertThat(a.allocPages(GFP_HIGHUSER_MOVABLE, 10, 0, 1)).isEqualTo(1024);
        assertThat(a.allocPages(GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, 0, 0, 1)).isEqualTo(-1);
        assertThat(a.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0, 1)).isBetween(0, 1023);
        assertThat(a.freePagesOfNode(1)).isZero();
    }

    @Test
    void slowPath_wakesKswapdAndReclaims_thenRetries() {
        PageAllocator a = allocator(1024, 1); // min 64, low 80
        List<String> calls = new ArrayList<>();
        int[] held = new int[1];
        a.setHooks(new AllocHooks() {
            @Override
            public void wakeKswapd(int node, int order) {
                calls.add("kswapd " + node + " " + order);
            }

            @Override
            public long directReclaim(int gfp, int order, int node) {
                calls.add("reclaim " + order);
                a.frames().setRefcount(held[0], 0);
                a.freePages(held[0], 9, 0);
                return 512;
            }
        });
        held[0] = a.allocPages(GFP_KERNEL, 9, 0, 0);
        int b = a.allocPages(GFP_KERNEL, 8, 0, 0);
        assertThat(calls).isEmpty();
        // 256 free: an order-8 request would leave 1 page < low (80) and < min (64).
        assertThat(a.allocPages(GFP_ATOMIC, 8, 0, 0)).isEqualTo(-1);
        assertThat(calls).containsExactly("kswapd 0 8");
        calls.clear();
        int c = a.allocPages(GFP_KERNEL, 8, 0, 0);
        assertThat(c).isNotNegative().isNotEqualTo(b);
        assertThat(calls).containsExactly("kswapd 0 8", "reclaim 8");
        a.verify();
    }

    @Test
    void slowPath_withoutProgress_asksTheOomKiller_onlyForCheapOrders() {
        PageAllocator a = new PageAllocator(new PageFrames(1024, new int[] {0}), 1, 0, 10, 1);
        List<Integer> oom = new ArrayList<>();
        a.setHooks(new AllocHooks() {
            @Override
            public boolean outOfMemory(int gfp, int order, int node) {
                oom.add(order);
                return false;
            }
        });
        assertThat(a.allocPages(GFP_KERNEL, 10, 0, 0)).isZero();
        assertThat(a.allocPages(GFP_KERNEL, 4, 0, 0)).isEqualTo(-1);
        assertThat(a.allocPages(GFP_KERNEL, 0, 0, 0)).isEqualTo(-1);
        assertThat(oom).containsExactly(0);
    }

    /**
     * should_reclaim_retry(): rounds without progress are retried while some zone would pass its
     * min watermark with its reclaimable pages freed, until more than MAX_RECLAIM_RETRIES of them
     * came in a row; with nothing reclaimable the OOM killer is asked after the first round.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"1000, 17", "0, 1"})
    void slowPath_noProgress_retriesWhileReclaimableMemoryCouldHelp(long reclaimable, int rounds) {
        PageAllocator a = allocator(1024, 1);
        while (a.allocPages(GFP_ATOMIC, 0, 0, 0) >= 0) {
            // down to the atomic reserve, below min
        }
        a.drainAll();
        int[] calls = new int[2];
        a.setHooks(new AllocHooks() {
            @Override
            public long directReclaim(int gfp, int order, int node) {
                calls[0]++;
                return 0;
            }

            @Override
            public long zoneReclaimablePages(Zone zone) {
                return reclaimable;
            }

            @Override
            public boolean outOfMemory(int gfp, int order, int node) {
                calls[1]++;
                return false;
            }
        });
        assertThat(a.allocPages(GFP_KERNEL, 0, 0, 0)).isEqualTo(-1);
        assertThat(calls[0]).isEqualTo(rounds);
        assertThat(rounds).isIn(1, PageAllocator.MAX_RECLAIM_RETRIES + 1);
        assertThat(calls[1]).isEqualTo(1);
    }

    /** Rounds that make progress reset the count: an allocation D pages below min that frees 8 a round needs D / 8 + 1. */
    @Test
    void slowPath_roundsWithProgress_goOnUntilTheMinWatermarkPasses() {
        PageAllocator a = allocator(1024, 1);
        List<Integer> held = new ArrayList<>();
        for (int p; (p = a.allocPages(GFP_ATOMIC, 0, 0, 0)) >= 0; ) {
            held.add(p);
        }
        a.drainAll();
        Zone z = a.zones().get(0);
        long min = z.watermark(Zone.WMARK_MIN);
        long free = z.nrFreePages();
        assertThat(min - free).isGreaterThan(16);
        int[] calls = {0};
        a.setHooks(new AllocHooks() {
            @Override
            public long directReclaim(int gfp, int order, int node) {
                calls[0]++;
                for (int i = 0; i < 8; i++) {
                    int p = held.remove(held.size() - 1);
                    a.frames().setRefcount(p, 0);
                    a.freePages(p, 0, 0);
                }
                a.drainAll();
                return 8;
            }

            @Override
            public long zoneReclaimablePages(Zone zone) {
                return held.size();
            }
        });
        assertThat(a.allocPages(GFP_KERNEL, 0, 0, 0)).isNotNegative();
        assertThat(calls[0]).isEqualTo((int) ((min - free) / 8 + 1));
        a.verify();
    }

    @Test
    void transhugeLight_neitherWakesKswapdNorReclaims() {
        PageAllocator a = new PageAllocator(new PageFrames(1024, new int[] {0}), 1, 0, 10, 1);
        List<String> calls = new ArrayList<>();
        a.setHooks(new AllocHooks() {
            @Override
            public void wakeKswapd(int node, int order) {
                calls.add("kswapd");
            }

            @Override
            public long directReclaim(int gfp, int order, int node) {
                calls.add("reclaim");
                return 0;
            }
        });
        a.allocPages(GFP_KERNEL, 9, 0, 0);
        a.allocPages(GFP_KERNEL, 8, 0, 0);
        assertThat(a.allocPages(GFP_TRANSHUGE_LIGHT, 9, 0, 0)).isEqualTo(-1);
        assertThat(calls).isEmpty();
        assertThat(a.allocPages(Gfp.GFP_TRANSHUGE, 9, 0, 0)).isEqualTo(-1);
        assertThat(calls).containsExactly("reclaim");
    }

    @Test
    void gfpMigratetype_followsTheMobilityBits() {
        assertThat(Gfp.gfpMigratetype(GFP_KERNEL)).isEqualTo(MIGRATE_UNMOVABLE);
        assertThat(Gfp.gfpMigratetype(GFP_HIGHUSER_MOVABLE)).isEqualTo(MIGRATE_MOVABLE);
        assertThat(Gfp.gfpMigratetype(GFP_TRANSHUGE_LIGHT)).isEqualTo(MIGRATE_MOVABLE);
        assertThat(Gfp.gfpMigratetype(GFP_KERNEL | Gfp.__GFP_RECLAIMABLE)).isEqualTo(MigrateType.MIGRATE_RECLAIMABLE);
        assertThat(Gfp.GFP_TRANSHUGE_LIGHT & Gfp.__GFP_RECLAIM).isZero();
        assertThat(MigrateType.name(MIGRATE_MOVABLE)).isEqualTo("Movable");
    }

    @Test
    void zeroPage_isReserved_andCannotBeFreed() {
        PageAllocator a = allocator(1024, 8);
        int zero = a.allocZeroPage();
        assertThat(a.frames().test(zero, PageFrames.PG_RESERVED)).isTrue();
        a.frames().setRefcount(zero, 0);
        assertThatThrownBy(() -> a.freePages(zero, 0, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bad page state");
    }

    // ---- counters and output

    @Test
    void counters_countPagesAllocatedPerZoneAndFreed_inVmstatNames() {
        PageAllocator a = new PageAllocator(new PageFrames(2048, new int[] {0}), 1, 0, 10, 8, 1024);
        long bootFrees = a.counter("pgfree");
        assertThat(bootFrees).isEqualTo(2048);
        int p = a.allocPages(GFP_HIGHUSER_MOVABLE, 2, 0, 0);
        a.allocPages(GFP_HIGHUSER_MOVABLE | Gfp.__GFP_DMA32, 1, 0, 0);
        assertThat(a.counter("pgalloc_normal")).isEqualTo(4);
        assertThat(a.counter("pgalloc_dma32")).isEqualTo(2);
        a.frames().setRefcount(p, 0);
        a.freePages(p, 2, 0);
        assertThat(a.vmstat()).containsExactly(
                org.assertj.core.api.Assertions.entry("nr_free_pages", 2046L),
                org.assertj.core.api.Assertions.entry("pgalloc_dma32", 2L),
                org.assertj.core.api.Assertions.entry("pgalloc_normal", 4L),
                org.assertj.core.api.Assertions.entry("pgfree", 2052L),
                // zone_statistics(): two allocations on the only node, from its CPU
                org.assertj.core.api.Assertions.entry("numa_hit", 2L),
                org.assertj.core.api.Assertions.entry("numa_miss", 0L),
                org.assertj.core.api.Assertions.entry("numa_foreign", 0L),
                org.assertj.core.api.Assertions.entry("numa_interleave", 0L),
                org.assertj.core.api.Assertions.entry("numa_local", 2L),
                org.assertj.core.api.Assertions.entry("numa_other", 0L));
        assertThatThrownBy(() -> a.counter("allocstall")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buddyinfo_matchesProcBuddyinfoFormat() {
        PageAllocator a = new PageAllocator(new PageFrames(3072 + 5, new int[] {0, 2048}), 1, 0, 10, 8, 1024);
        assertThat(a.buddyinfo()).isEqualTo(""
                + "Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0      1 \n"
                + "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      1 \n"
                + "Node 1, zone   Normal      1      0      1      0      0      0      0      0      0      0      1 \n");
    }

    @Test
    void pagetypeinfo_listsFreeBlocksPerMigratetype() {
        PageAllocator a = allocator(1024, 1);
        a.allocPages(GFP_KERNEL, 0, 0, 0);
        String info = a.pagetypeinfo();
        assertThat(info).startsWith("Page block order: 9\nPages per block:  512\n\n");
        assertThat(info).contains(
                "Node    0, zone    DMA32, type    Unmovable      1      1      1      1      1      1      1      1      1      1      0 \n");
        assertThat(info).contains("Node 0, zone    DMA32            2            0            0 \n");
    }

    @Test
    void verify_reportsAFrameMarkedFreeButOnNoList() {
        PageAllocator a = allocator(1024, 1);
        int pfn = a.allocPages(GFP_KERNEL, 0, 0, 0);
        a.frames().set(pfn, PageFrames.PG_BUDDY);
        assertThatThrownBy(a::verify).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PFN " + pfn + " in Node 0, zone DMA32 has PG_BUDDY but is on no free list");
    }

    @Test
    void verify_reportsWrongFreeCount() {
        PageAllocator a = allocator(1024, 1);
        a.allocPages(GFP_KERNEL, 1, 0, 0);
        a.frames().setPriv(a.zone(0).freeListHead(1, MIGRATE_UNMOVABLE), 2);
        assertThatThrownBy(a::verify).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("buddy order 2");
    }
}
