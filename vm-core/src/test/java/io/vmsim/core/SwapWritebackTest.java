package io.vmsim.core;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Task;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asynchronous swap writeback ({@code swap.synchronous_io=false}), against the rules of Linux 6.18's
 * {@code shrink_folio_list()}/{@code pageout()} (mm/vmscan.c) and {@code folio_end_writeback()}/
 * {@code folio_rotate_reclaimable()} (mm/filemap.c, mm/swap.c): a page reclaim writes is not freed
 * in the pass that wrote it but stays in the swap cache, unmapped, charged and on the LRU, under
 * writeback ({@code nr_writeback}); when its write completes it is rotated to the cold end
 * ({@code pgrotated}), and a later pass frees it without writing it again. The write completes
 * {@code cost.io_latency_ns} after it was submitted plus {@code cost.io_page_ns} per page queued
 * on the device. The policy is the test's exact LRU, which records the rotations.
 */
final class SwapWritebackTest {
    private static final long PAGE = 4096;
    private static final long LATENCY_PS = 100_000_000L; // cost.io_latency_ns default, in ps
    private static final long PAGE_PS = 1_000_000L; // cost.io_page_ns default, in ps

    private static Machine machine() {
        return Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", "64M", "vmsim.debug_checks", "true",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru",
                CoreKeys.SWAP_SYNCHRONOUS_IO, "false"), new TestCatalog());
    }

    private static long vm(Machine m, String key) {
        return m.vmstat().get(key);
    }

    private static int countFlag(Machine m, int flag) {
        PageFrames f = m.kernel().frames;
        int n = 0;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            if (f.test(pfn, flag)) {
                n++;
            }
        }
        return n;
    }

    /**
     * MADV_PAGEOUT goes through {@code pageout()} too: the 16 pages are written (pswpout,
     * nr_vmscan_write), under writeback until the device completes them. Their completions put
     * them into the completing CPU's rotate batch ({@code folio_rotate_reclaimable()}), which moves
     * its pages to the cold end only when it holds FOLIO_BATCH_SIZE (31) of them
     * ({@code pgrotated} is counted then, by {@code lru_move_tail()}): 16 wait, and the 15 of a
     * second MADV_PAGEOUT fill the batch.
     */
    @Test
    void pageout_startsTheWrites_andTheirCompletionsRotateThePagesToTheColdEnd_31AtATime() {
        Machine m = machine();
        Kernel k = m.kernel();
        SimProcess p = m.spawn("p", List.of(0));
        Task t = p.threads().get(0);
        int n = 16;
        int batch = 31; // FOLIO_BATCH_SIZE, include/linux/pagevec.h
        long a = m.syscalls().mmapAnon(p.mm(), 0, batch * PAGE, "rw", false, PAGE);
        for (int i = 0; i < batch; i++) {
            m.access(t, a + i * PAGE, true);
        }
        List<Integer> pfns = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            pfns.add(Pte.pfn(k.lookupLeaf(p.mm(), a + i * PAGE)));
        }
        long out = vm(m, "pswpout");
        m.syscalls().madvise(p.mm(), a, n * PAGE, "pageout", 0);
        m.debugChecks().check("pageout");
        assertThat(vm(m, "pswpout") - out).isEqualTo(n);
        assertThat(vm(m, "nr_vmscan_write")).isEqualTo(n);
        assertThat(vm(m, "nr_writeback")).isEqualTo(n);
        assertThat(m.meminfo().get("Writeback")).isEqualTo(n * 4);
        assertThat(m.meminfo().get("SwapCached")).isEqualTo(n * 4);
        assertThat(countFlag(m, PageFrames.PG_WRITEBACK)).isEqualTo(n);
        assertThat(vm(m, "pgrotated")).isZero();
        // every write was submitted by now: the device completes the last within latency + 16 transfers
        k.clock.advance(LATENCY_PS + n * PAGE_PS);
        m.tick();
        m.debugChecks().check("completed");
        assertThat(vm(m, "nr_writeback")).isZero();
        assertThat(countFlag(m, PageFrames.PG_WRITEBACK | PageFrames.PG_RECLAIM)).isZero();
        assertThat(vm(m, "pgrotated")).as("16 completions wait in the batch of 31").isZero();
        assertThat(TestCatalog.lastRecording.rotated).isEmpty();

        m.syscalls().madvise(p.mm(), a + n * PAGE, (batch - n) * PAGE, "pageout", 0);
        k.clock.advance(LATENCY_PS + batch * PAGE_PS);
        m.tick();
        m.debugChecks().check("batch full");
        assertThat(vm(m, "pgrotated")).isEqualTo(batch);
        assertThat(TestCatalog.lastRecording.rotated).containsExactlyElementsOf(pfns); // in completion order
        // rotated to the cold end: the first pages the next reclaim will offer (the latest rotated coldest)
        List<Integer> coldest = new ArrayList<>(TestCatalog.lastRecording.order).subList(0, batch);
        assertThat(coldest).containsExactlyInAnyOrderElementsOf(pfns);
        assertThat(m.meminfo().get("SwapCached")).isEqualTo(batch * 4);
    }

    /**
     * A memory cgroup at its limit: the reclaim that first writes pages does not free them in that
     * pass; they stay in the swap cache, unmapped and charged. Once their writes have completed,
     * the next reclaim frees SWAP_CLUSTER_MAX (32, nr_to_reclaim) of them without writing anything.
     */
    @Test
    void memcgReclaim_keepsThePagesItWroteUntilTheirWritesComplete_thenFreesThemWithoutWriting() {
        Machine m = machine();
        Kernel k = m.kernel();
        GroupWriter g = new GroupWriter(m, 1L << 20);
        MemCgroup cg = g.cg;
        SimProcess p = g.p;
        g.writeUntil(() -> vm(m, "pswpout") > 0);
        m.debugChecks().check("first reclaim");
        long written = vm(m, "pswpout");
        long freed = vm(m, "pgsteal_anon");
        long kept = written - freed;
        assertThat(kept).as("written pages not freed by the pass that wrote them").isPositive();
        assertThat(m.meminfo().get("SwapCached")).isEqualTo(kept * 4);
        assertThat(p.mm().swapEnts).isEqualTo(written); // unmapped: their PTEs hold swap entries
        assertThat(cg.anon).isEqualTo(p.mm().rssAnon() + kept); // and still charged
        assertThat(cg.current).isLessThanOrEqualTo(cg.max);
        assertThat(vm(m, "nr_writeback")).isEqualTo(countFlag(m, PageFrames.PG_WRITEBACK));
        // recorded (conformance/writeback): the group's reclaim counts no global pgscan/pgsteal_direct
        assertThat(vm(m, "pgsteal_direct")).isZero();
        assertThat(vm(m, "pgscan_direct")).isZero();
        assertThat(cg.pgsteal).isEqualTo(freed);
        // every write done: the kept pages are rotated to the cold end
        long rotatedBefore = vm(m, "pgrotated");
        long inFlight = vm(m, "nr_writeback");
        k.clock.advance(LATENCY_PS + written * PAGE_PS);
        m.tick();
        assertThat(vm(m, "nr_writeback")).isZero();
        assertThat(vm(m, "pgrotated") - rotatedBefore).isEqualTo(inFlight);
        // the next reclaim frees 32 of them, writing nothing
        g.writeUntil(() -> vm(m, "pgsteal_anon") > freed);
        m.debugChecks().check("second reclaim");
        assertThat(vm(m, "pswpout")).isEqualTo(written);
        assertThat(vm(m, "pgsteal_anon") - freed).isEqualTo(32);
        assertThat(m.meminfo().get("SwapCached")).isEqualTo((kept - 32) * 4);
    }

    /**
     * {@code shrink_lruvec()} plugs its writes ({@code blk_start_plug()}): the pages a pass writes
     * merge into one request, submitted when the pass ends or, once it holds the disk's 254
     * segments, when the next page comes; its pages complete together and reach the cold end 31 at
     * a time. Recorded on Linux 6.18.44 (conformance/writeback/memcg-swap-trace.run1-3.json): the
     * first reclaim at the limit scans the young pages once at every priority, then at priority 0
     * writes 282, 283 and 290 pages in two requests (254 and the rest) and frees 32, the pages of
     * the first request, rotated while it wrote on. Here with the 45 us a written page cost there
     * ({@code cost.pageout_ns}), a 2 MiB group and the test's exact LRU (no second chance for young
     * pages: it writes from the first page it scans). One request a page would have let the first
     * writes complete and be freed after a few more, writing some 40 pages.
     */
    @Test
    void memcgReclaim_plugsItsWrites_andFreesThePagesOfTheFirstFullRequest() {
        Machine m = Machine.create(TestConfig.of("machine.memory", "64M", "swap.size", "64M", "vmsim.debug_checks", "true",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru",
                CoreKeys.SWAP_SYNCHRONOUS_IO, "false", CoreKeys.COST_PAGEOUT, "45000"), new TestCatalog());
        GroupWriter g = new GroupWriter(m, 2L << 20);
        MemCgroup cg = g.cg;
        g.writeUntil(() -> vm(m, "pswpout") > 0);
        m.debugChecks().check("first reclaim");
        long written = vm(m, "pswpout");
        assertThat(written).as("a full request of 254, then the writes until it completed").isGreaterThan(254).isLessThanOrEqualTo(300);
        assertThat(cg.pgsteal).as("freed by the first reclaim").isGreaterThanOrEqualTo(32);
        assertThat(vm(m, "pgrotated") % 31).as("rotated in whole batches").isZero();
    }

    /**
     * A process in a new memory cgroup of {@code limit} bytes with 4 MiB of anonymous memory,
     * written a page at a time, in order, by {@link #writeUntil}.
     */
    private static final class GroupWriter {
        final Machine m;
        final MemCgroup cg;
        final SimProcess p;
        final Task t;
        final long a;
        int next;

        GroupWriter(Machine m, long limit) {
            this.m = m;
            Reclaim r = Reclaim.of(m.kernel());
            int id = r.createCgroup("g", limit, Long.MAX_VALUE);
            cg = r.lruDomains().cgroup(id);
            p = m.spawn("w", List.of(0));
            p.mm().memcg = id;
            t = p.threads().get(0);
            a = m.syscalls().mmapAnon(p.mm(), 0, 4L << 20, "rw", false, PAGE);
        }

        /** Writes the next pages until {@code done} holds. */
        void writeUntil(java.util.function.BooleanSupplier done) {
            while (!done.getAsBoolean()) {
                m.access(t, a + next++ * PAGE, true);
            }
        }
    }
}
