package io.vmsim.core.mm;

import java.util.Map;
import java.util.TreeMap;

/**
 * An address space ({@code struct mm_struct}): its VMAs, the root of its page-table tree, its
 * PCID, and the counters Linux keeps per mm (RSS by type, page-table pages).
 */
public final class Mm {
    final int id;
    final int pcid;
    int pgd = -1;
    final TreeMap<Long, Vma> vmas = new TreeMap<>();
    /** Next address mmap picks top-down below ({@code mm->mmap_base}). */
    long mmapBase = 0x7f00_0000_0000L;
    /** {@code MM_ANONPAGES}: resident anonymous pages, in 4 KiB units. */
    public long rssAnon;
    /** {@code MM_FILEPAGES}. */
    public long rssFile;
    /** {@code MM_SWAPENTS}. */
    public long swapEnts;
    /** Page-table pages linked into the tree, per level (index 1 = PTE tables ... 5). */
    public final long[] tablesPerLevel = new long[6];
    /** PTE tables deposited for huge PMDs ({@code pgtable_trans_huge_deposit}), each counted in nr_ptes. */
    public long depositedTables;
    /** {@code total_vm} in pages. */
    public long totalVm;
    public boolean exited;

    // reclaim (issue 3)
    /** Command name of the owning process, for the OOM killer and overcommit errors. */
    public String comm = "";
    /** Pid of the owning process. */
    public int pid;
    /** {@code /proc/PID/oom_score_adj}: -1000 (never kill) .. 1000. */
    public int oomScoreAdj;
    /** Pages this mm charged to {@code Committed_AS} ({@code VM_ACCOUNT} areas). */
    public long committedPages;
    /** The memory cgroup of the process, 0 for the root. */
    public int memcg;
    /**
     * The group its {@code mm_struct} is charged to ({@link AccountedSlabs#MM_STRUCT}): that of
     * the task that forked it; -1 for an address space not made by a fork.
     */
    public int mmStructMemcg = -1;
    /** Set when the OOM killer chose this process. */
    public boolean oomKilled;
    /**
     * The CPU the address space's system calls run on, whose per-CPU charge stocks the kernel
     * objects they allocate and free use: the CPU of the task that created it (vmsim's tasks
     * stay on their CPU; a call by another thread of the process is counted on this one).
     */
    public int cpu;

    Mm(int id) {
        this.id = id;
        this.pcid = 1 + (id % 4095);
    }

    public int id() {
        return id;
    }

    public int pcid() {
        return pcid;
    }

    /** Frame of the top-level table. */
    public int pgd() {
        return pgd;
    }

    public long rssAnon() {
        return rssAnon;
    }

    public long rssFile() {
        return rssFile;
    }

    /** Page-table pages linked at {@code level} (1 = PTE, 2 = PMD, 3 = PUD, 4/5 = P4D/PGD). */
    public long tablesAt(int level) {
        return tablesPerLevel[level];
    }

    /** PTE pages deposited under huge PMDs. */
    public long depositedTables() {
        return depositedTables;
    }

    /** All page-table pages of this mm, as {@code mm_pgtables_bytes() / PAGE_SIZE}. */
    public long pageTablePages() {
        long n = depositedTables;
        for (long t : tablesPerLevel) {
            n += t;
        }
        return n;
    }

    /** The VMA containing {@code address}, or null ({@code vma_lookup()}). */
    public Vma findVma(long address) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(address);
        if (e == null) {
            return null;
        }
        Vma v = e.getValue();
        return address < v.end ? v : null;
    }

    /** The VMAs in address order. */
    public Iterable<Vma> vmas() {
        return vmas.values();
    }
}
