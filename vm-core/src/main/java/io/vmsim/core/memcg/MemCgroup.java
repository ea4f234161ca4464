package io.vmsim.core.memcg;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory cgroup ({@code struct mem_cgroup}, {@code Documentation/admin-guide/cgroup-v2.rst}):
 * its limits, the pages charged to it, and the counters of its {@code memory.events} and
 * {@code memory.stat}. Id 0 is the root group, which has no limit.
 */
public final class MemCgroup {
    /** No limit ({@code max} in the cgroup files). */
    public static final long MAX = Long.MAX_VALUE;

    private final int id;
    private final String name;
    /** {@code memory.max} in pages: above it the group reclaims, then kills within itself. */
    public long max;
    /** {@code memory.high} in pages: above it the allocating task reclaims the group back. */
    public final long high;
    /**
     * {@code memory.current} (cgroup v1 {@code memory.usage_in_bytes}) in pages: the page counter,
     * which holds the charged user pages ({@link #anon}, {@link #file}), the charged page-table
     * pages ({@link #kmem}) and the pages kept in the per-CPU charge stocks ({@link MemcgStock}).
     */
    public long current;
    /** {@code memory.peak} in pages. */
    public long peak;
    /** {@code memory.stat} anon and file pages. */
    public long anon;
    public long file;
    /**
     * Kernel memory charged to the group in pages (cgroup v1 {@code memory.kmem.usage_in_bytes},
     * {@code memcg1_account_kmem()}): page-table pages ({@code GFP_PGTABLE_USER} has
     * {@code __GFP_ACCOUNT}) and the pages its {@code obj_cgroup} took for slab objects
     * ({@code obj_cgroup_charge_pages()}), whether handed out to objects or still in an object
     * stock ({@link MemcgStock}) or in {@link #nrChargedBytes}.
     */
    public long kmem;
    /**
     * {@code obj_cgroup->nr_charged_bytes}: bytes of charged pages not handed out to objects,
     * left by a drained object stock; the next object stock of the group takes them over.
     */
    public long nrChargedBytes;
    /** {@code memory.events}. */
    public long eventsHigh;
    public long eventsMax;
    public long eventsOom;
    public long eventsOomKill;
    /**
     * cgroup v1 {@code memory.failcnt}: charges of the memory counter that failed
     * ({@code page_counter_try_charge()}), counted as {@code try_charge_memcg()} retries them.
     */
    public long failcnt;
    /** {@code memory.stat} pgscan and pgsteal of reclaim in this group's own LRU domains. */
    public long pgscan;
    public long pgsteal;

    MemCgroup(int id, String name, long max, long high) {
        this.id = id;
        this.name = name;
        this.max = max;
        this.high = high;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    void charge(int nr, boolean isFile) {
        current += nr;
        peak = Math.max(peak, current);
        if (isFile) {
            file += nr;
        } else {
            anon += nr;
        }
    }

    void uncharge(int nr, boolean isFile) {
        current -= nr;
        if (isFile) {
            file -= nr;
        } else {
            anon -= nr;
        }
    }

    /** The group's files, in bytes where the kernel reports bytes, for the run's report. */
    public Map<String, Long> report() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("memory.current", current << 12);
        m.put("memory.peak", peak << 12);
        if (max != MAX) {
            m.put("memory.max", max << 12);
        }
        if (high != MAX) {
            m.put("memory.high", high << 12);
        }
        m.put("anon", anon << 12);
        m.put("file", file << 12);
        m.put("events.high", eventsHigh);
        m.put("events.max", eventsMax);
        m.put("events.oom", eventsOom);
        m.put("events.oom_kill", eventsOomKill);
        m.put("pgscan", pgscan);
        m.put("pgsteal", pgsteal);
        return m;
    }
}
