package io.vmsim.core.ksm;

import io.vmsim.api.VmaFlags;
import io.vmsim.api.policy.DedupPolicy;
import io.vmsim.core.alloc.Gfp;
import io.vmsim.core.alloc.PageFrames;
import io.vmsim.core.mm.AnonVma;
import io.vmsim.core.mm.Kernel;
import io.vmsim.core.mm.KsmHooks;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.PageContents;
import io.vmsim.core.mm.Rmap;
import io.vmsim.core.mm.Vma;
import io.vmsim.core.mm.WorkloadException;
import io.vmsim.core.pgtable.Pte;
import io.vmsim.core.time.Daemons;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kernel samepage merging, {@code mm/ksm.c} of Linux 6.18 (and
 * {@code Documentation/admin-guide/mm/ksm.rst}): the ksmd thread on simulated time, its mm
 * slots and rmap_items, the checksum that keeps volatile pages out of the unstable tree, the
 * unstable tree rebuilt every full scan, the stable tree with {@code max_page_sharing} chains
 * of dups, merging (write-protect, map the KSM page, free the duplicate), the zero-page merge of
 * {@code use_zero_pages}, per-node trees when {@code merge_across_nodes} is 0, and
 * {@code smart_scan}. Pages are compared by their content tags ({@link PageContents}): the
 * kernel sorts its rbtrees with {@code memcmp()}, so equal tags are equal contents and the trees
 * are sorted maps keyed by tag.
 *
 * <p>A KSM page stays on the LRU and is reclaimed as Linux reclaims it: {@code try_to_unmap()}
 * walks its mappings with {@link #rmapWalk}, every PTE gets the same swap entry, the page is
 * written and freed, and its stable node goes with it ({@link #ksmPageFreed}); the pages swapped
 * back in are ordinary anonymous pages ({@code ksm_might_need_to_copy()} in {@code SwapIn}).
 *
 * <p>Simplifications, each documented in {@code docs/ksm.md}: THP and mlocked pages are not
 * merged (the kernel splits THPs first); {@code MADV_PAGEOUT} passes KSM pages by; a stable node goes the moment
 * its KSM page is freed (the kernel finds it stale later, in {@code ksm_get_folio()}), so stale
 * dups never wait for {@code stable_node_chains_prune_millisecs}; a migrated KSM page keeps its
 * tree node (the kernel moves it to the tree of its new node when {@code merge_across_nodes} is
 * 0); {@code PR_SET_MEMORY_MERGE} makes every compatible area of the process mergeable without
 * setting {@code VM_MERGEABLE} on each.
 */
public final class Ksm implements KsmHooks, Daemons.Daemon {
    /** {@code sizeof(struct ksm_rmap_item)} on x86-64 Linux 6.18: 64 bytes (recorded, {@code conformance/ksm}). */
    public static final int RMAP_ITEM_SIZE = 64;

    /** {@code /sys/kernel/mm/ksm/*} as configured. */
    public record Settings(int run, int pagesToScan, int sleepMillisecs, int maxPageSharing, boolean mergeAcrossNodes,
                           boolean useZeroPages, boolean smartScan) {
    }

    /** The sysfs counters of {@code /sys/kernel/mm/ksm}, and when each full scan ended. */
    public record Stats(long pagesShared, long pagesSharing, long pagesUnshared, long pagesVolatile, long fullScans,
                        long stableNodeChains, long stableNodeDups, long ksmZeroPages, long generalProfit,
                        long pagesScanned, long pagesSkipped, long rmapItems, List<Long> fullScanEndNs) {
    }

    /** {@code struct ksm_mm_slot}: an address space ksmd scans, and its rmap_items by address. */
    private static final class MmSlot {
        final Mm mm;
        final TreeMap<Long, RmapItem> items = new TreeMap<>();
        /** {@code mm->ksm_zero_pages}. */
        long zeroPages;

        MmSlot(Mm mm) {
            this.mm = mm;
        }
    }

    /** {@code struct ksm_rmap_item}: one scanned virtual page. */
    private static final class RmapItem {
        final MmSlot slot;
        final long address;
        int oldChecksum;
        int age;
        int remainingSkips;
        /** In (or left over from) an unstable tree: {@code UNSTABLE_FLAG}. */
        boolean unstable;
        long unstableKey;
        long seqnr;
        int nid;
        /** The stable node listing it: {@code STABLE_FLAG}. */
        StableNode head;
        AnonVma anonVma;

        RmapItem(MmSlot slot, long address) {
            this.slot = slot;
            this.address = address;
        }
    }

    /** {@code struct ksm_stable_node}: a KSM page (a regular node, or a dup of a chain). */
    private static final class StableNode {
        int kpfn;
        final long tag;
        final int nid;
        final List<RmapItem> hlist = new ArrayList<>();
        /**
         * Every (anon_vma, address) an rmap_item of this node had: the reverse map walks them all,
         * so a mapping whose rmap_item went (its mm wrote its copy) while a fork child still maps
         * the page is found; Linux's rmap_walk_ksm() misses it until ksmd reaches the child.
         */
        final java.util.LinkedHashSet<MapRef> refs = new java.util.LinkedHashSet<>();

        StableNode(int kpfn, long tag, int nid) {
            this.kpfn = kpfn;
            this.tag = tag;
            this.nid = nid;
        }
    }

    /** Where a KSM page was mapped: an anon_vma and the address within its areas. */
    private record MapRef(AnonVma anonVma, long address) {
    }

    /** A stable-tree entry: one regular node, or a chain ({@code STABLE_NODE_CHAIN}) of dups. */
    private static final class StableEntry {
        final List<StableNode> dups = new ArrayList<>();
        boolean chain;
    }

    private final Kernel k;
    private final PageFrames frames;
    private final DedupPolicy policy;
    private final Settings s;
    private final long checksumPs;
    private Daemons daemons;
    private int daemonId = -1;

    private final List<MmSlot> slots = new ArrayList<>();
    private final Map<Mm, MmSlot> slotOf = new IdentityHashMap<>();
    private final Set<Mm> mergeAny = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    /** The scan cursor: index of the slot being scanned, -1 at {@code ksm_mm_head}. */
    private int cursor = -1;
    private long scanAddress;
    private final TreeMap<Long, StableEntry>[] stable;
    private final TreeMap<Long, RmapItem>[] unstable;
    private final Map<Integer, StableNode> nodeOf = new HashMap<>();
    private long nextUniqueTag = 1;
    private long lastWakeNs = -1;

    private long pagesShared;
    private long pagesSharing;
    private long pagesUnshared;
    private long rmapItems;
    private long stableNodeChains;
    private long stableNodeDups;
    private long ksmZeroPages;
    private long fullScans;
    private long pagesScanned;
    private long pagesSkipped;
    private final List<Long> fullScanEndNs = new ArrayList<>();

    @SuppressWarnings("unchecked")
    public Ksm(Kernel kernel, DedupPolicy policy, Settings settings, long checksumPs) {
        this.k = kernel;
        this.frames = kernel.frames;
        this.policy = policy;
        this.s = settings;
        this.checksumPs = checksumPs;
        int trees = settings.mergeAcrossNodes() ? 1 : frames.nrNodes();
        stable = new TreeMap[trees];
        unstable = new TreeMap[trees];
        for (int i = 0; i < trees; i++) {
            stable[i] = new TreeMap<>();
            unstable[i] = new TreeMap<>();
        }
    }

    /** True if ksmd merges: {@code run} is 1 and the policy runs at all. */
    public boolean running() {
        return s.run() == 1 && policy.enabled();
    }

    /** Registers ksmd with the machine's daemons; it sleeps until an area becomes mergeable. */
    public void start(Daemons d) {
        this.daemons = d;
        if (running()) {
            daemonId = d.register(this, -1);
        }
    }

    @Override
    public String name() {
        return "ksmd";
    }

    // ---------------------------------------------------------------- ksmd

    /**
     * {@code ksm_scan_thread()}: one wake-up of {@code pages_to_scan} pages, then
     * {@code sleep_millisecs}. ksmd runs on a CPU of its own: when the workload polled late
     * (a long {@code sleep} phase), the wake-ups it missed are made now, each a batch.
     */
    @Override
    public long run(long nowNs) {
        if (!running() || slots.isEmpty()) {
            lastWakeNs = -1;
            return -1; // ksmd_should_run() is false: wait until an mm enters
        }
        long sleepNs = Math.max(1, policy.sleepMillis(s.sleepMillisecs())) * 1_000_000L;
        long t = lastWakeNs < 0 ? nowNs : lastWakeNs + sleepNs;
        if (t > nowNs) {
            t = nowNs;
        }
        for (; t <= nowNs && !slots.isEmpty(); t += sleepNs) {
            doScan(policy.pagesToScan(s.pagesToScan()), t);
            lastWakeNs = t;
        }
        return slots.isEmpty() ? -1 : Math.max(1, lastWakeNs + sleepNs - nowNs);
    }

    /** {@code ksm_do_scan()}: compares up to {@code n} pages; stops early at the end of a full scan. */
    private void doScan(int n, long nowNs) {
        for (int i = 0; i < n; i++) {
            RmapItem item = nextItem(nowNs);
            if (item == null) {
                return;
            }
            cmpAndMerge(item, scannedPfn, scannedVma);
        }
    }

    private int scannedPfn;
    private Vma scannedVma;

    /**
     * {@code scan_get_next_rmap_item()}: the next anonymous page of a mergeable area, its
     * rmap_item found or made; rmap_items of addresses passed over go. At the end of the last
     * slot a full scan ends ({@code seqnr}, {@code full_scans}), and the next call starts a new
     * one with empty unstable trees.
     */
    private RmapItem nextItem(long nowNs) {
        if (cursor < 0) {
            if (slots.isEmpty()) {
                return null;
            }
            for (TreeMap<Long, RmapItem> t : unstable) {
                t.clear(); // root_unstable_tree[nid] = RB_ROOT
            }
            cursor = 0;
            scanAddress = 0;
        }
        while (cursor < slots.size()) {
            MmSlot slot = slots.get(cursor);
            Mm mm = slot.mm;
            if (!mm.exited && mm.pgd() >= 0) {
                for (Vma v : mm.vmas()) {
                    if (v.end() <= scanAddress || !mergeable(mm, v)) {
                        continue;
                    }
                    for (long a = Math.max(scanAddress, v.start()); a < v.end(); a += 4096) {
                        long e = k.lookupLeaf(mm, a);
                        if (!Pte.present(e) || Pte.huge(e)) {
                            continue;
                        }
                        int pfn = Pte.pfn(e);
                        int fl = frames.flags(pfn);
                        if ((fl & PageFrames.PG_ANON) == 0 || pfn == k.zeroPfn
                                || (fl & (PageFrames.PG_HEAD | PageFrames.PG_TAIL)) != 0) {
                            continue;
                        }
                        dropItems(slot, scanAddress, a);
                        scanAddress = a + 4096;
                        RmapItem item = slot.items.get(a);
                        if (item == null) {
                            item = new RmapItem(slot, a);
                            slot.items.put(a, item);
                            rmapItems++;
                        }
                        if (shouldSkip(item, pfn)) {
                            continue;
                        }
                        scannedPfn = pfn;
                        scannedVma = v;
                        return item;
                    }
                }
            }
            // remove_trailing_rmap_items(), or the whole slot of an mm that exited
            dropItems(slot, scanAddress, Long.MAX_VALUE);
            if (mm.exited) {
                dropItems(slot, Long.MIN_VALUE, Long.MAX_VALUE);
                slots.remove(cursor);
                slotOf.remove(mm);
                mergeAny.remove(mm);
            } else {
                cursor++;
            }
            scanAddress = 0;
        }
        cursor = -1;
        fullScans++; // ksm_scan.seqnr
        fullScanEndNs.add(nowNs);
        policy.fullScanDone(fullScans);
        return null;
    }

    /** Frees the slot's rmap_items at addresses in {@code [from, to)}. */
    private void dropItems(MmSlot slot, long from, long to) {
        if (from >= to) {
            return;
        }
        var range = slot.items.subMap(from, true, to, false);
        for (RmapItem item : range.values()) {
            removeFromTree(item);
            rmapItems--;
        }
        range.clear();
    }

    /**
     * {@code should_skip_rmap_item()} (6.7+, {@code smart_scan}): a page that has not merged for
     * a few scans is skipped for 1, 2, 4 and then 8 scans ({@code skip_age()}); KSM pages never;
     * then the policy may skip it too ({@link DedupPolicy#shouldScan}), which hears of KSM pages
     * as well but cannot skip them.
     */
    private boolean shouldSkip(RmapItem item, int pfn) {
        if ((frames.flags(pfn) & PageFrames.PG_KSM) != 0) {
            policy.shouldScan(pfn, checksum(pfn), 0); // the policy sees it; a KSM page is never skipped
            return false;
        }
        if (s.smartScan()) {
            int age = item.age;
            if (age != 255) {
                item.age++;
            }
            if (age >= 3) {
                if (item.remainingSkips == 0) {
                    item.remainingSkips = age <= 3 ? 1 : age <= 5 ? 2 : age <= 8 ? 4 : 8;
                } else {
                    pagesSkipped++;
                    item.remainingSkips--;
                    removeFromTree(item);
                    return true;
                }
            }
        }
        if (!policy.shouldScan(pfn, checksum(pfn), item.age)) {
            pagesSkipped++;
            removeFromTree(item);
            return true;
        }
        return false;
    }

    private long tag(int pfn) {
        long t = k.contents.get(pfn);
        if (t == PageContents.UNKNOWN) {
            // contents nobody modelled: data of its own, unlike any other page's
            t = 0x5EED_0000_0000_0000L ^ (nextUniqueTag++ * 0x9E3779B97F4A7C15L);
            if (t == PageContents.ZERO || t == PageContents.UNKNOWN) {
                t = nextUniqueTag++;
            }
            k.contents.set(pfn, t);
        }
        return t;
    }

    private int checksum(int pfn) {
        return PageContents.checksum(tag(pfn));
    }

    private int nid(int pfn) {
        return s.mergeAcrossNodes() ? 0 : frames.nodeOf(pfn);
    }

    /** {@code cmp_and_merge_page()} of Linux 6.18. */
    private void cmpAndMerge(RmapItem item, int pfn, Vma vma) {
        pagesScanned++;
        StableNode own = (frames.flags(pfn) & PageFrames.PG_KSM) != 0 ? nodeOf.get(pfn) : null;
        if (own != null) {
            if (item.head == own) {
                return; // already counted
            }
            // a KSM page mapped here by fork: it may go over max_page_sharing (max_page_sharing_bypass)
            removeFromTree(item);
            stableAppend(item, own, vma);
            return;
        }
        removeFromTree(item);
        long tag = tag(pfn);
        int checksum = PageContents.checksum(tag);
        k.clock.advance(checksumPs);
        if (item.oldChecksum != checksum) {
            item.oldChecksum = checksum; // volatile: changed since the last scan
            return;
        }
        if (!mergeablePage(pfn)) {
            return;
        }
        if (s.useZeroPages() && tag == PageContents.ZERO) {
            mergeWithZeroPage(item, pfn);
            return;
        }
        int nid = nid(pfn);
        StableNode dup = stableSearch(tag, nid);
        if (dup != null) {
            if (policy.shouldMerge(pfn, dup.kpfn, dup.hlist.size())) {
                replacePage(item.slot.mm, item.address, pfn, dup.kpfn);
                stableAppend(item, dup, vma);
                item.age = 0;
            }
            return;
        }
        // unstable_tree_search_insert()
        RmapItem tree = unstable[nid].get(tag);
        int treePfn = tree == null ? -1 : currentPfn(tree, tag);
        if (treePfn == pfn) {
            return; // the same page (shared by fork): neither merged nor inserted
        }
        if (treePfn < 0) {
            if (tree != null) {
                unstable[nid].remove(tag); // a stale node: its page changed or went
            }
            item.unstable = true;
            item.unstableKey = tag;
            item.nid = nid;
            item.seqnr = fullScans;
            unstable[nid].put(tag, item);
            pagesUnshared++;
            return;
        }
        if (!policy.shouldMerge(pfn, treePfn, 0)) {
            return;
        }
        // try_to_merge_two_pages(): this page becomes the KSM page in place, the tree's page maps it
        removeFromTree(tree);
        makeKsmPage(item.slot.mm, item.address, pfn);
        replacePage(tree.slot.mm, tree.address, treePfn, pfn);
        StableNode node = stableInsert(pfn, tag, nid);
        stableAppend(tree, node, tree.slot.mm.findVma(tree.address));
        stableAppend(item, node, vma);
        item.age = 0;
        tree.age = 0;
    }

    /** The PFN the tree item maps now if it is still a mergeable page holding {@code tag}, else -1. */
    private int currentPfn(RmapItem tree, long tag) {
        Mm mm = tree.slot.mm;
        if (mm.exited || mm.pgd() < 0) {
            return -1;
        }
        Vma v = mm.findVma(tree.address);
        if (v == null || !mergeable(mm, v)) {
            return -1;
        }
        long e = k.lookupLeaf(mm, tree.address);
        if (!Pte.present(e) || Pte.huge(e)) {
            return -1;
        }
        int pfn = Pte.pfn(e);
        int fl = frames.flags(pfn);
        if ((fl & PageFrames.PG_ANON) == 0 || (fl & PageFrames.PG_KSM) != 0 || pfn == k.zeroPfn
                || !mergeablePage(pfn) || k.contents.get(pfn) != tag) {
            return -1;
        }
        return pfn;
    }

    /**
     * {@code write_protect_page()}'s condition: only its mappings and the swap cache hold the page
     * ({@code folio_mapcount() + 1 + swapped == folio_ref_count()}; vmsim's refcount does not count
     * the swap cache's reference), no other pin; vmsim also leaves mlocked and compound pages alone.
     */
    private boolean mergeablePage(int pfn) {
        int fl = frames.flags(pfn);
        return (fl & (PageFrames.PG_MLOCKED | PageFrames.PG_HEAD | PageFrames.PG_TAIL)) == 0
                && frames.refcount(pfn) == frames.mapcount(pfn) && frames.mapcount(pfn) > 0;
    }

    /** {@code stable_tree_search()} with {@code chain_prune()}: the fullest dup still below {@code max_page_sharing}. */
    private StableNode stableSearch(long tag, int nid) {
        StableEntry e = stable[nid].get(tag);
        if (e == null) {
            return null;
        }
        StableNode found = null;
        for (StableNode d : e.dups) {
            if (d.hlist.size() < s.maxPageSharing() && (found == null || d.hlist.size() > found.hlist.size())) {
                found = d;
            }
        }
        return found;
    }

    /** {@code stable_tree_insert()}: a new KSM page's node; a second one of equal contents makes a chain. */
    private StableNode stableInsert(int kpfn, long tag, int nid) {
        StableNode node = new StableNode(kpfn, tag, nid);
        nodeOf.put(kpfn, node);
        StableEntry e = stable[nid].get(tag);
        if (e == null) {
            e = new StableEntry();
            stable[nid].put(tag, e);
        } else if (!e.chain) {
            e.chain = true; // alloc_stable_node_chain(): the regular node becomes the chain's first dup
            stableNodeChains++;
            stableNodeDups += e.dups.size();
        }
        e.dups.add(0, node); // stable_node_chain_add_dup(): hlist_add_head()
        if (e.chain) {
            stableNodeDups++;
        }
        return node;
    }

    /** {@code stable_tree_append()}: the first rmap_item of a node counts in pages_shared, the others in pages_sharing. */
    private void stableAppend(RmapItem item, StableNode node, Vma vma) {
        if (node.hlist.isEmpty()) {
            pagesShared++;
        } else {
            pagesSharing++;
        }
        node.hlist.add(0, item);
        item.head = node;
        item.anonVma = vma == null ? null : vma.anonVma();
        if (item.anonVma != null) {
            node.refs.add(new MapRef(item.anonVma, item.address));
        }
    }

    /** {@code remove_rmap_item_from_tree()}. */
    private void removeFromTree(RmapItem item) {
        if (item.head != null) {
            StableNode node = item.head;
            node.hlist.remove(item);
            if (node.hlist.isEmpty()) {
                pagesShared--;
            } else {
                pagesSharing--;
            }
            item.head = null;
            item.anonVma = null;
        } else if (item.unstable) {
            if (item.seqnr == fullScans && unstable[item.nid].get(item.unstableKey) == item) {
                unstable[item.nid].remove(item.unstableKey); // in this scan's tree
            }
            pagesUnshared--;
            item.unstable = false;
        }
    }

    /**
     * {@code try_to_merge_one_page()} with no KSM page yet: the page itself becomes one, its PTE
     * write-protected. It stays on its LRU list, evictable: reclaim swaps it out as any
     * anonymous page, finding its mappings through {@link #rmapWalk} ({@code rmap_walk_ksm()}).
     */
    private void makeKsmPage(Mm mm, long address, int pfn) {
        writeProtect(mm, address);
        frames.set(pfn, PageFrames.PG_KSM | PageFrames.PG_DIRTY);
    }

    private void writeProtect(Mm mm, long address) {
        int pt = k.walkNoAlloc(mm, address, 1);
        long[] ptes = k.tables.table(pt);
        int i = Pte.index(address, 1);
        ptes[i] &= ~(Pte.RW | Pte.DIRTY); // write_protect_page(): pte_wrprotect(), pte_mkclean() after marking the page dirty
        k.flushTlbPage(mm, address);
    }

    /** {@code replace_page()}: the PTE at {@code address} maps KSM page {@code kpfn}, read-only; the old page is put. */
    private void replacePage(Mm mm, long address, int old, int kpfn) {
        int pt = k.walkNoAlloc(mm, address, 1);
        long[] ptes = k.tables.table(pt);
        int i = Pte.index(address, 1);
        k.clock.advance(checksumPs); // memcmp_pages()
        frames.addMapcount(kpfn, 1);
        frames.addRefcount(kpfn, 1);
        ptes[i] = Pte.make(kpfn, Pte.PRESENT | Pte.USER | Pte.ACCESSED);
        k.flushTlbPage(mm, address);
        k.putAnonPage(old, mm.cpu);
    }

    /** {@code try_to_merge_with_zero_page()}: an empty page becomes a (dirty-marked) mapping of the zero page. */
    private void mergeWithZeroPage(RmapItem item, int pfn) {
        Mm mm = item.slot.mm;
        int pt = k.walkNoAlloc(mm, item.address, 1);
        long[] ptes = k.tables.table(pt);
        int i = Pte.index(item.address, 1);
        ptes[i] = Pte.make(k.zeroPfn, Pte.PRESENT | Pte.USER | Pte.SPECIAL | Pte.ACCESSED | Pte.DIRTY);
        k.flushTlbPage(mm, item.address);
        mm.rssAnon--; // replace_page(): dec_mm_counter(MM_ANONPAGES) for the zero page
        k.putAnonPage(pfn, mm.cpu);
        ksmZeroPages++;
        item.slot.zeroPages++;
    }

    // ---------------------------------------------------------------- mm slots and areas

    /** {@code vma_ksm_compatible()} and {@code VM_MERGEABLE} (or {@code MMF_VM_MERGE_ANY}). */
    private boolean mergeable(Mm mm, Vma v) {
        if (v.hasAny(VmaFlags.VM_SHARED | VmaFlags.VM_HUGETLB)) {
            return false;
        }
        return v.has(VmaFlags.VM_MERGEABLE) || mergeAny.contains(mm);
    }

    /** {@code __ksm_enter()}: the mm joins the scan list and ksmd is woken. */
    private void enter(Mm mm) {
        if (!running() || slotOf.containsKey(mm) || mm.exited) {
            return;
        }
        MmSlot slot = new MmSlot(mm);
        slotOf.put(mm, slot);
        // __ksm_enter(): a new mm goes just behind the cursor, so a full scan is not cut short
        if (cursor < 0) {
            slots.add(slot);
        } else {
            slots.add(cursor, slot);
            cursor++;
        }
        if (daemonId >= 0 && daemons.sleeping(daemonId)) {
            daemons.wake(daemonId);
        }
    }

    @Override
    public void madviseMergeable(Mm mm) {
        enter(mm);
    }

    /** {@code prctl(PR_SET_MEMORY_MERGE, on)}: {@code ksm_enable_merge_any()} / {@code ksm_disable_merge_any()}. */
    public void prctlMemoryMerge(Mm mm, boolean on, int cpu) {
        if (on) {
            mergeAny.add(mm);
            enter(mm);
            return;
        }
        if (mergeAny.remove(mm)) {
            for (Vma v : new ArrayList<Vma>(asList(mm.vmas()))) {
                if (!v.has(VmaFlags.VM_MERGEABLE)) {
                    unmerge(mm, v.start(), v.end(), cpu);
                }
            }
        }
    }

    private static List<Vma> asList(Iterable<Vma> it) {
        List<Vma> l = new ArrayList<>();
        it.forEach(l::add);
        return l;
    }

    /** True if {@code PR_GET_MEMORY_MERGE} would say 1. */
    public boolean memoryMerge(Mm mm) {
        return mergeAny.contains(mm);
    }

    @Override
    public void forked(Mm parent, Mm child) {
        if (slotOf.containsKey(parent)) {
            if (mergeAny.contains(parent)) {
                mergeAny.add(child); // MMF_VM_MERGE_ANY is inherited
            }
            enter(child);
        }
    }

    /**
     * {@code unmerge_ksm_pages()}: every KSM page (and KSM zero page) mapped in {@code [start, end)}
     * is broken by a write fault ({@code break_ksm()}): the mapping gets its own copy. The
     * rmap_items stay until ksmd passes them, as in Linux, so the counters follow at its next visit.
     */
    @Override
    public void unmerge(Mm mm, long start, long end, int cpu) {
        if (mm.exited || mm.pgd() < 0 || (nodeOf.isEmpty() && ksmZeroPages == 0)) {
            return;
        }
        for (Vma v : asList(mm.vmas())) {
            long from = Math.max(start, v.start());
            long to = Math.min(end, v.end());
            for (long a = from; a < to; a += 4096) {
                long e = k.lookupLeaf(mm, a);
                if (!Pte.present(e) || Pte.huge(e)) {
                    continue;
                }
                int pfn = Pte.pfn(e);
                boolean ksmZero = pfn == k.zeroPfn && (e & Pte.DIRTY) != 0;
                if (ksmZero || (pfn != k.zeroPfn && (frames.flags(pfn) & PageFrames.PG_KSM) != 0)) {
                    breakCow(mm, v, a, pfn, ksmZero, cpu);
                }
            }
        }
    }

    /** A write fault's copy-on-write of KSM page {@code pfn} at {@code address} ({@code do_wp_page()}). */
    private void breakCow(Mm mm, Vma v, long address, int pfn, boolean ksmZero, int cpu) {
        k.anonVmaPrepare(v);
        k.hooks.beforeUserAlloc(mm, 1, cpu);
        int node = k.nodeOfCpu(cpu);
        int copy = k.allocator.allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, cpu, node);
        if (copy < 0) {
            throw new WorkloadException("out of memory breaking a KSM page at 0x" + Long.toHexString(address));
        }
        k.clock.advance(ksmZero ? k.cost.zero4kPs : k.cost.copy4kPs);
        frames.setMapcount(copy, 1);
        frames.setRefcount(copy, 1);
        k.newAnonFolio(copy, 0, v, address);
        k.contents.set(copy, ksmZero ? PageContents.ZERO : k.contents.get(pfn));
        int pt = k.walkNoAlloc(mm, address, 1);
        k.tables.table(pt)[Pte.index(address, 1)] = Pte.make(copy, Pte.PRESENT | Pte.USER | Pte.ACCESSED
                | (v.has(VmaFlags.VM_WRITE) ? Pte.RW | Pte.DIRTY : 0));
        k.flushTlbPage(mm, address);
        if (ksmZero) {
            mm.rssAnon++;
            zeroPageUnmapped(mm);
        } else {
            k.putAnonPage(pfn, cpu);
        }
    }

    // ---------------------------------------------------------------- hooks from the core

    /** The stable node of a KSM page goes with it (Linux: when {@code ksm_get_folio()} next finds it stale). */
    @Override
    public void ksmPageFreed(int pfn) {
        StableNode node = nodeOf.remove(pfn);
        if (node == null) {
            return;
        }
        // remove_node_from_stable_tree()
        for (int i = 0; i < node.hlist.size(); i++) {
            if (i < node.hlist.size() - 1) {
                pagesSharing--;
            } else {
                pagesShared--;
            }
            node.hlist.get(i).head = null;
            node.hlist.get(i).anonVma = null;
        }
        node.hlist.clear();
        StableEntry e = stable[node.nid].get(node.tag);
        e.dups.remove(node);
        if (e.chain) {
            stableNodeDups--;
            if (e.dups.size() <= 1) {
                // a chain left with one dup becomes a regular node again (stable_node_dup())
                e.chain = false;
                stableNodeChains--;
                stableNodeDups -= e.dups.size();
            }
        }
        if (e.dups.isEmpty()) {
            stable[node.nid].remove(node.tag);
        }
    }

    @Override
    public void ksmPageMigrated(int from, int to) {
        StableNode node = nodeOf.remove(from);
        if (node != null) {
            node.kpfn = to; // set_page_stable_node() on the new page
            nodeOf.put(to, node);
        }
    }

    @Override
    public void zeroPageUnmapped(Mm mm) {
        MmSlot slot = slotOf.get(mm);
        if (slot != null && slot.zeroPages > 0) {
            slot.zeroPages--;
            ksmZeroPages--;
        }
    }

    /**
     * {@code rmap_walk_ksm()}: for each rmap_item of the page's node, the areas of its anon_vma
     * (the mm that merged it and the children it forked) at the same address.
     */
    @Override
    public int rmapWalk(int pfn, Rmap.Visitor v) {
        StableNode node = nodeOf.get(pfn);
        if (node == null) {
            return 0;
        }
        Set<Long> seen = new HashSet<>();
        int visited = 0;
        for (MapRef ref : new ArrayList<>(node.refs)) {
            for (Vma vma : ref.anonVma().vmas()) {
                Mm mm = vma.mm();
                if (!vma.contains(ref.address()) || mm.exited || mm.pgd() < 0) {
                    continue;
                }
                int pt = k.walkNoAlloc(mm, ref.address(), 1);
                if (pt < 0) {
                    continue;
                }
                int i = Pte.index(ref.address(), 1);
                long pte = k.tables.table(pt)[i];
                if (!Pte.present(pte) || Pte.pfn(pte) != pfn || !seen.add(((long) pt << 9) | i)) {
                    continue;
                }
                visited++;
                if (!v.visit(mm, vma, ref.address(), pt, i, 1)) {
                    return visited;
                }
            }
        }
        return visited;
    }

    // ---------------------------------------------------------------- counters

    /** The counters of {@code /sys/kernel/mm/ksm}; {@code general_profit} as ksm.rst defines it. */
    public Stats stats() {
        long volatilePages = rmapItems - pagesShared - pagesSharing - pagesUnshared;
        long profit = (pagesSharing + ksmZeroPages) * 4096 - rmapItems * RMAP_ITEM_SIZE;
        return new Stats(pagesShared, pagesSharing, pagesUnshared, volatilePages, fullScans, stableNodeChains,
                stableNodeDups, ksmZeroPages, profit, pagesScanned, pagesSkipped, rmapItems, List.copyOf(fullScanEndNs));
    }

    /** The configured sysfs values. */
    public Settings settings() {
        return s;
    }

    /**
     * Checks that the counters agree with the trees and the frames: every node's page is a live
     * KSM page holding the node's contents, every count matches what the trees hold (debug checks, tests).
     */
    @Override
    public void verify() {
        long shared = 0;
        long sharing = 0;
        long chains = 0;
        long dups = 0;
        for (TreeMap<Long, StableEntry> t : stable) {
            for (StableEntry e : t.values()) {
                if (e.chain) {
                    chains++;
                    dups += e.dups.size();
                }
                for (StableNode n : e.dups) {
                    if (nodeOf.get(n.kpfn) != n) {
                        throw new IllegalStateException("KSM: node of PFN " + n.kpfn + " not indexed");
                    }
                    if ((frames.flags(n.kpfn) & PageFrames.PG_KSM) == 0 || frames.refcount(n.kpfn) <= 0) {
                        throw new IllegalStateException("KSM: stable node's PFN " + n.kpfn + " is not a live KSM page");
                    }
                    if (k.contents.get(n.kpfn) != n.tag) {
                        throw new IllegalStateException("KSM: PFN " + n.kpfn + " holds " + k.contents.get(n.kpfn)
                                + ", its stable node " + n.tag);
                    }
                    if (!n.hlist.isEmpty()) {
                        shared++;
                        sharing += n.hlist.size() - 1;
                    }
                    for (RmapItem item : n.hlist) {
                        if (item.head != n) {
                            throw new IllegalStateException("KSM: rmap_item listed by a node it does not name");
                        }
                    }
                }
            }
        }
        long items = 0;
        long unshared = 0;
        long zero = 0;
        for (MmSlot slot : slots) {
            items += slot.items.size();
            zero += slot.zeroPages;
            for (RmapItem item : slot.items.values()) {
                if (item.unstable) {
                    unshared++;
                }
            }
        }
        check("pages_shared", pagesShared, shared);
        check("pages_sharing", pagesSharing, sharing);
        check("pages_unshared", pagesUnshared, unshared);
        check("stable_node_chains", stableNodeChains, chains);
        check("stable_node_dups", stableNodeDups, dups);
        check("rmap_items", rmapItems, items);
        check("ksm_zero_pages", ksmZeroPages, zero);
    }

    private static void check(String what, long counter, long counted) {
        if (counter != counted) {
            throw new IllegalStateException("KSM: " + what + " is " + counter + " but " + counted + " were counted");
        }
    }
}
