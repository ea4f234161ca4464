package io.vmsim.core;

import io.vmsim.core.mm.Kernel;
import io.vmsim.core.vmscan.Reclaim;
import io.vmsim.core.mmu.Mmu;
import io.vmsim.core.vmstat.VmEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** Renders the machine's state as {@code /proc/vmstat}, {@code /proc/meminfo} and TLB figures. */
final class Reports {
    private Reports() {
    }

    /** /proc/vmstat: state items first, as Linux prints them, then events. */
    /**
     * Per-node figures (issue 10): the local and remote references counted on the reference
     * path, and the node's anonymous and page-cache frames in use, counted frame by frame; empty
     * on a machine of one node.
     */
    static java.util.List<io.vmsim.core.report.RunResult.NumaNode> numa(Machine m) {
        Kernel k = m.kernel();
        int nodes = k.frames.nrNodes();
        if (nodes < 2) {
            return java.util.List.of();
        }
        long[] anon = new long[nodes];
        long[] file = new long[nodes];
        io.vmsim.core.alloc.PageFrames f = k.frames;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            if (!f.sectionPresent(pfn)) {
                pfn = io.vmsim.core.alloc.PageFrames.nextSectionPfn(pfn) - 1; // never touched: free
                continue;
            }
            int flags = f.flags(pfn);
            if ((flags & (io.vmsim.core.alloc.PageFrames.PG_BUDDY | io.vmsim.core.alloc.PageFrames.PG_PCP)) != 0) {
                continue;
            }
            if ((flags & io.vmsim.core.alloc.PageFrames.PG_ANON) != 0) {
                anon[f.nodeOf(pfn)]++;
            } else if ((flags & io.vmsim.core.alloc.PageFrames.PG_FILE) != 0) {
                file[f.nodeOf(pfn)]++;
            }
        }
        java.util.List<io.vmsim.core.report.RunResult.NumaNode> out = new java.util.ArrayList<>();
        io.vmsim.core.topology.NodeAccesses a = m.nodeAccesses();
        for (int n = 0; n < nodes; n++) {
            out.add(new io.vmsim.core.report.RunResult.NumaNode(n, a.localAccesses(n), a.remoteAccesses(n), anon[n], file[n]));
        }
        return out;
    }

    static Map<String, Long> vmstat(Kernel k) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("nr_free_pages", k.allocator.nrFreePages());
        m.put("nr_anon_pages", k.nrAnonPages);
        m.put("nr_anon_transparent_hugepages", k.nrAnonThps);
        m.put("nr_page_table_pages", k.tables.nrTables());
        Reclaim r = Reclaim.of(k); // reclaim (issue 3)
        if (r != null) {
            m.putAll(r.vmstatItems());
        }
        for (Map.Entry<String, Long> e : k.allocator.vmstat().entrySet()) {
            m.putIfAbsent(e.getKey(), e.getValue());
        }
        for (VmEvent e : VmEvent.values()) {
            m.put(e.linuxName(), k.vmstat.get(e));
        }
        return m;
    }

    /** /proc/meminfo fields in kB (HugePages_* are counts), in Linux's order. */
    static Map<String, Long> meminfo(Kernel k) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("MemTotal", (long) k.frames.nrFrames() * 4);
        // NR_FREE_PAGES: pages on per-CPU lists are not counted, as in Linux
        m.put("MemFree", k.allocator.nrFreePages() * 4);
        Reclaim r = Reclaim.of(k); // reclaim (issue 3)
        Map<String, Long> rm = r == null ? Map.of() : r.meminfoItems();
        for (String f : new String[] {"Cached", "SwapCached", "Unevictable", "Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback"}) {
            if (rm.containsKey(f)) {
                m.put(f, rm.get(f));
            }
        }
        m.put("AnonPages", k.nrAnonPages * 4);
        for (String f : new String[] {"Mapped", "Slab", "SReclaimable"}) {
            if (rm.containsKey(f)) {
                m.put(f, rm.get(f));
            }
        }
        m.put("PageTables", k.tables.nrTables() * 4);
        for (String f : new String[] {"CommitLimit", "Committed_AS"}) {
            if (rm.containsKey(f)) {
                m.put(f, rm.get(f));
            }
        }
        m.put("AnonHugePages", k.nrAnonThps * 2048);
        // THP (issue 5): the default (2 MiB) hstate, as /proc/meminfo shows it; Hugetlb sums every size
        io.vmsim.core.hugetlb.HugetlbPools.Pool p2 = k.huge instanceof ThpSubsystem t ? t.hugetlb().pool2m() : null;
        io.vmsim.core.hugetlb.HugetlbPools.Pool p1 = k.huge instanceof ThpSubsystem t ? t.hugetlb().pool1g() : null;
        m.put("HugePages_Total", p2 == null ? 0L : p2.total());
        m.put("HugePages_Free", p2 == null ? 0L : p2.free());
        m.put("HugePages_Rsvd", p2 == null ? 0L : p2.reserved());
        m.put("HugePages_Surp", 0L);
        m.put("Hugepagesize", 2048L);
        m.put("Hugetlb", p2 == null ? 0L : p2.total() * p2.sizeKb() + p1.total() * p1.sizeKb());
        if (k.frames.nrNodes() > 1) {
            // as /sys/devices/system/node/nodeN/meminfo, so a NUMA placement policy's effect shows
            for (int node = 0; node < k.frames.nrNodes(); node++) {
                long free = 0;
                for (io.vmsim.core.alloc.Zone z : k.allocator.zones()) {
                    // NR_FREE_PAGES of the node's zones: per-CPU lists are not counted, as in MemFree
                    free += z.node() == node ? z.nrFreePages() : 0;
                }
                m.put("Node " + node + " MemFree", free * 4);
            }
        }
        return m;
    }

    /** TLB and walker figures summed over CPUs. */
    static Map<String, Long> tlb(Mmu[] mmus) {
        long accesses = 0;
        long l1 = 0;
        long stlb = 0;
        long walks = 0;
        long refs = 0;
        long assists = 0;
        long retries = 0;
        for (Mmu m : mmus) {
            accesses += m.accesses;
            l1 += m.l1Misses;
            stlb += m.stlbMisses;
            walks += m.walks;
            refs += m.walkRefs;
            assists += m.dirtyAssists;
            retries += m.faultRetries;
        }
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("accesses", accesses);
        t.put("l1_misses", l1);
        t.put("stlb_misses", stlb);
        t.put("walks", walks);
        t.put("walk_refs", refs);
        t.put("dirty_assists", assists);
        t.put("fault_retries", retries);
        return t;
    }
}
