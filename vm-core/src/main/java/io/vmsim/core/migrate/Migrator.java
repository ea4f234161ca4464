package io.vmsim.core.migrate;

import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.vmstat.VmEvent;

/**
 * Page migration ({@code migrate_pages()} in {@code mm/migrate.c}) of order-0 anonymous pages:
 * copy the contents to a new frame, point every PTE that mapped the old frame at the new one
 * through the reverse map ({@code remove_migration_ptes()}), move the page's state
 * ({@code folio_migrate_mapping()}, {@code folio_migrate_flags()}), tell the reclaim policy the
 * page moved ({@code pageMigrated}, so it keeps its place and history), and free the old frame.
 *
 * <p>Simplification: the kernel first replaces the PTEs by migration entries and restores them
 * after the copy; with nothing running concurrently the simulator swaps them in one step.
 * Compound pages are not migrated (compaction skips them outside {@code alloc_contig_range()}).
 */
public final class Migrator {
    /** Flags that travel with the contents; LRU and policy bits are the reclaim policy's to set again. */
    private static final int MIGRATED_FLAGS = PageFrames.PG_ANON | PageFrames.PG_SWAPBACKED | PageFrames.PG_DIRTY
            | PageFrames.PG_REFERENCED | PageFrames.PG_YOUNG | PageFrames.PG_MLOCKED | PageFrames.PG_UNEVICTABLE | PageFrames.PG_SWAPCACHE
            | PageFrames.PG_KSM;

    private final Kernel k;
    private final PageFrames frames;
    private final Rmap rmap;
    private MoveListener listener = (from, to) -> { };

    /** Told of every successful move, e.g. by tests that track contents per frame. */
    @FunctionalInterface
    public interface MoveListener {
        void moved(int from, int to);
    }

    public Migrator(Kernel kernel) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.rmap = new Rmap(kernel);
    }

    public void setListener(MoveListener listener) {
        this.listener = listener;
    }

    /**
     * True if the page can be migrated here: an order-0 mapped anonymous page, on the reclaim
     * policy's LRU or on the unevictable list (anonymous memory without swap), as
     * {@code isolate_migratepages_block()} takes them with {@code compact_unevictable_allowed}
     * set; mlocked pages are left alone, as with that sysctl cleared.
     */
    public boolean movable(int pfn) {
        int fl = frames.flags(pfn);
        return (fl & PageFrames.PG_ANON) != 0 && (fl & (PageFrames.PG_LRU | PageFrames.PG_UNEVICTABLE)) != 0
                && (fl & (PageFrames.PG_HEAD | PageFrames.PG_TAIL | PageFrames.PG_RESERVED | PageFrames.PG_MLOCKED)) == 0
                && frames.refcount(pfn) > 0 && frames.refcount(pfn) == frames.mapcount(pfn);
    }

    /**
     * Moves the page at {@code from} into the free frame {@code to} (owned by the caller, clean)
     * and frees {@code from}. Returns false, leaving both untouched, if the page is not movable.
     */
    public boolean migrate(int from, int to, int cpu) {
        if (!movable(from)) {
            k.vmstat.count(VmEvent.PGMIGRATE_FAIL);
            return false;
        }
        k.clock.advance(k.cost.copy4kPs);
        int[] remapped = new int[1];
        rmap.walk(from, (mm, vma, address, table, index, level) -> {
            long[] t = k.tables.table(table);
            long e = t[index];
            t[index] = (e & ~Pte.make(Pte.pfn(e), 0)) | Pte.make(to, 0);
            k.flushTlbPage(mm, address);
            remapped[0]++;
            return true;
        });
        if (remapped[0] != frames.mapcount(from)) {
            throw new IllegalStateException("migrating PFN " + from + ": rmap found " + remapped[0]
                    + " mappings but mapcount is " + frames.mapcount(from));
        }
        moveState(from, to, cpu);
        return true;
    }

    /**
     * As {@link #migrate}, for a page whose caller holds its PTE ({@code ptes[index]}, mapping
     * {@code address} in {@code mm}): when it is the page's only mapping the PTE is rewritten
     * directly, without a reverse-map walk, so the hinting-fault path allocates nothing.
     */
    public boolean migrateMapped(int from, int to, int cpu, io.vmsim.core.mm.Mm mm, long address, long[] ptes, int index) {
        if (frames.mapcount(from) != 1) {
            return migrate(from, to, cpu);
        }
        if (!movable(from)) {
            k.vmstat.count(VmEvent.PGMIGRATE_FAIL);
            return false;
        }
        k.clock.advance(k.cost.copy4kPs);
        long e = ptes[index];
        ptes[index] = (e & ~Pte.make(Pte.pfn(e), 0)) | Pte.make(to, 0);
        k.flushTlbPage(mm, address);
        moveState(from, to, cpu);
        return true;
    }

    /**
     * As {@link #migrate}, for a reclaim victim ({@code demote_folio_list()}, {@code mm/vmscan.c}):
     * the reclaim policy has already let go of the page, so its new frame joins the LRU of its
     * own node unreferenced, as {@code migrate_pages()} puts a demoted folio back
     * ({@code folio_putback_lru()}), and the old domain hears nothing more.
     */
    public boolean migrateIsolated(int from, int to, int cpu) {
        if (!movable(from)) {
            return false;
        }
        boolean onLru = frames.test(from, PageFrames.PG_LRU);
        frames.clear(from, PageFrames.PG_LRU);
        frames.set(from, PageFrames.PG_UNEVICTABLE); // movable() while off the LRU; not carried over
        int keep = frames.flags(from);
        boolean ok = migrate(from, to, cpu);
        if (!ok) {
            frames.setFlags(from, keep & ~PageFrames.PG_UNEVICTABLE | (onLru ? PageFrames.PG_LRU : 0));
            return false;
        }
        frames.clear(to, PageFrames.PG_UNEVICTABLE);
        if (onLru) {
            frames.set(to, PageFrames.PG_LRU);
            k.reclaim.pageAddedUnreferenced(to, true);
        }
        return true;
    }

    /** Moves the page's state from {@code from} to {@code to} and frees {@code from}, once every PTE points at {@code to}. */
    private void moveState(int from, int to, int cpu) {
        boolean onLru = frames.test(from, PageFrames.PG_LRU);
        frames.setFlags(to, frames.flags(from) & MIGRATED_FLAGS);
        frames.setMapping(to, frames.mapping(from));
        frames.setIndex(to, frames.index(from));
        frames.setMapcount(to, frames.mapcount(from));
        frames.setRefcount(to, frames.refcount(from));
        if (onLru) {
            // the policy keeps the page's place and history (folio_migrate_flags()); the page is
            // still charged to its group here, which is the group of both frames
            frames.clear(from, PageFrames.PG_LRU);
            frames.set(to, PageFrames.PG_LRU);
            k.reclaim.pageMigrated(from, to, frames.test(to, PageFrames.PG_ANON));
        }
        // the page-cache or swap-cache slot and the memcg charge follow the page
        k.hooks.pageMigrated(from, to);
        k.contents.move(from, to); // the contents travel (KSM, issue 11)
        if (frames.test(to, PageFrames.PG_KSM)) {
            k.ksm.ksmPageMigrated(from, to);
        }
        frames.setFlags(from, 0);
        frames.setMapping(from, 0);
        frames.setIndex(from, 0);
        frames.setMapcount(from, 0);
        frames.setRefcount(from, 0);
        k.allocator.freePages(from, 0, cpu);
        k.vmstat.count(VmEvent.PGMIGRATE_SUCCESS);
        listener.moved(from, to);
    }
}
