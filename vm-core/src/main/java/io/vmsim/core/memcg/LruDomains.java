package io.vmsim.core.memcg;

import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.ReclaimPolicy;
import io.vmsim.api.policy.ScanControl;
import io.vmsim.core.plugin.PolicyGuards;
import io.vmsim.core.alloc.PageFrames;

import java.util.ArrayList;
import java.util.List;

/**
 * The LRU domains of a machine, one per node and memory cgroup ({@code struct lruvec} of
 * {@code mm/memcontrol.c}), each with its own reclaim policy instance, behind the one
 * {@link ReclaimPolicy} the rest of the core talks to: every call about a page goes to the
 * instance of the page's domain. Instances are created on first use; the root group on node 0
 * is the policy the machine was built with.
 *
 * <p>A page's memory cgroup is kept in a byte per frame, allocated only once a second cgroup
 * exists (at most 255), so a machine without cgroups pays nothing per frame. A page is charged
 * to a group before it is handed to the policy and uncharged after it left it.
 */
public final class LruDomains implements ReclaimPolicy, OfflineStudy {
    /** Most cgroups a machine can have, the root included (the owner is one byte per frame). */
    public static final int MAX_CGROUPS = 256;

    private final PageFrames frames;
    private final PolicyFactory factory;
    private final int nodes;
    private final boolean observe;
    private ReclaimPolicy[] domains;
    private byte[] owner;
    private final List<MemCgroup> cgroups = new ArrayList<>();
    /** The per-CPU charge stocks of the groups. */
    private final MemcgStock stock = new MemcgStock();
    /** True if the policy observes every access but counts a page added unreferenced as used. */
    private final boolean unreferencedAsUse;
    private OfflineStudy.Study study;
    /** Pages handed over by {@link #pageAdded}: each stands for the reference that brought it in. */
    private long referencedAdds;
    private long unreferencedAdds;
    private long crossDomainRefaults;

    public LruDomains(ReclaimPolicy root, PolicyFactory factory, PageFrames frames) {
        this.frames = frames;
        this.factory = factory;
        this.nodes = frames.nrNodes();
        this.observe = root.observesEveryAccess();
        this.unreferencedAsUse = observe && !PolicyGuards.overrides(root, "pageAddedUnreferenced", int.class, boolean.class);
        this.domains = new ReclaimPolicy[nodes];
        this.domains[0] = root;
        cgroups.add(new MemCgroup(0, "/", MemCgroup.MAX, MemCgroup.MAX));
    }

    /**
     * The capacity of the LRU domain of {@code node} in {@code memcg}: the node's frames, or the
     * group's {@code memory.max} if lower ({@code PolicyContext.capacity()}).
     */
    public long capacity(int node, int memcg) {
        return Math.min(frames.nodeEndPfn(node) - frames.nodeStartPfn(node), cgroups.get(memcg).max);
    }

    /**
     * Sets a group's {@code memory.max} (pages) and tells each of its policy instances the new
     * capacity of its domain.
     */
    public void setMax(int memcg, long maxPages) {
        MemCgroup cg = cgroups.get(memcg);
        cg.max = maxPages;
        for (int n = 0; n < nodes; n++) {
            ReclaimPolicy p = domains[memcg * nodes + n];
            if (p != null) {
                p.capacityChanged(capacity(n, memcg));
            }
        }
    }

    /** Number of {@link #pageAdded} calls so far: the fault path uses it to report a reference once. */
    public long referencedAdds() {
        return referencedAdds;
    }

    /**
     * Pages that arrived unreferenced (readahead, collapse, split) and that the policy counted as
     * used, because it observes every access and keeps the default
     * {@link ReclaimPolicy#pageAddedUnreferenced}; 0 when the policy tells them apart.
     */
    public long unreferencedCountedAsUsed() {
        return unreferencedAsUse ? unreferencedAdds : 0;
    }

    // ---------------------------------------------------------------- cgroups

    /** Creates a memory cgroup with limits in pages ({@link MemCgroup#MAX} for none); returns it. */
    public MemCgroup createCgroup(String name, long maxPages, long highPages) {
        if (cgroups.size() == MAX_CGROUPS) {
            throw new IllegalArgumentException("at most " + (MAX_CGROUPS - 1) + " memory cgroups can be simulated");
        }
        MemCgroup cg = new MemCgroup(cgroups.size(), name, maxPages, highPages);
        cgroups.add(cg);
        if (owner == null) {
            owner = new byte[frames.nrFrames()];
        }
        domains = java.util.Arrays.copyOf(domains, cgroups.size() * nodes);
        return cg;
    }

    /** Every cgroup, the root first. */
    public List<MemCgroup> cgroups() {
        return cgroups;
    }

    public MemCgroup cgroup(int id) {
        return cgroups.get(id);
    }

    /** The cgroup a page is charged to (0 when none). */
    public int ownerOf(int pfn) {
        return owner == null ? 0 : owner[pfn] & 0xff;
    }

    /** {@code mem_cgroup_charge()}: the page (folio head) of {@code nr} pages now belongs to {@code memcg}. */
    public void charge(int pfn, int nr, int memcg) {
        if (owner != null) {
            owner[pfn] = (byte) memcg;
        }
        cgroups.get(memcg).charge(nr, frames.test(pfn, PageFrames.PG_FILE));
    }

    /** {@code mem_cgroup_uncharge()}: the page is being freed. */
    public void uncharge(int pfn, int nr) {
        int cg = ownerOf(pfn);
        cgroups.get(cg).uncharge(nr, frames.test(pfn, PageFrames.PG_FILE));
        if (owner != null) {
            owner[pfn] = 0;
        }
    }

    /** The per-CPU charge stocks ({@code memcg_stock}). */
    public MemcgStock stock() {
        return stock;
    }

    /**
     * A page-table page charged to {@code memcg} ({@code __memcg_kmem_charge_page()}): the page
     * counter took it in {@code try_charge_memcg()}; the group's {@code kmem} counts it.
     */
    public void chargeKmem(int pfn, int memcg) {
        if (memcg == 0 || owner == null) {
            return;
        }
        owner[pfn] = (byte) memcg;
        MemCgroup cg = cgroups.get(memcg);
        cg.kmem++;
        cg.current++;
        cg.peak = Math.max(cg.peak, cg.current);
    }

    /**
     * A charged page-table page is freed on {@code cpu} ({@code __memcg_kmem_uncharge_page()},
     * {@code obj_cgroup_uncharge_pages()}): its charge goes to the CPU's stock
     * ({@code refill_stock()}), not straight back to the page counter.
     */
    public void unchargeKmem(int pfn, int cpu) {
        int memcg = ownerOf(pfn);
        if (memcg == 0) {
            return;
        }
        owner[pfn] = 0;
        MemCgroup cg = cgroups.get(memcg);
        cg.kmem--;
        stock.refill(cg, 1, cpu);
    }

    /** A split folio's pages each carry its group, so each can be uncharged on its own. */
    public void splitCharge(int head, int nr) {
        if (owner != null) {
            for (int i = 1; i < nr; i++) {
                owner[head + i] = owner[head];
            }
        }
    }

    /** Migration: the charge of page {@code from} moves to page {@code to} ({@code mem_cgroup_migrate()}). */
    public void moveCharge(int from, int to) {
        if (owner != null) {
            owner[to] = owner[from];
            owner[from] = 0;
        }
    }

    // ---------------------------------------------------------------- domains

    /**
     * The LRU domain a page is charged to ({@code folio_lruvec()}): its memory cgroup and node,
     * as one number. Shadow entries carry it ({@code pack_shadow()} packs the memcg id and node).
     */
    public int domainOf(int pfn) {
        int cg = owner == null ? 0 : owner[pfn] & 0xff;
        return nodes == 1 ? cg : cg * nodes + frames.nodeOf(pfn);
    }

    private ReclaimPolicy policy(int d) {
        ReclaimPolicy p = domains[d];
        if (p == null) {
            p = factory.create(d % nodes, d / nodes, capacity(d % nodes, d / nodes));
            if (p.observesEveryAccess() != observe) {
                throw new IllegalStateException("policy instances disagree on observesEveryAccess()");
            }
            if (study != null && p instanceof OfflineStudy os) {
                os.study(study);
            }
            domains[d] = p;
        }
        return p;
    }

    /** The policy instance of the domain page {@code pfn} belongs to, or null if it has none yet. */
    public ReclaimPolicy policyOf(int pfn) {
        return domains[domainOf(pfn)];
    }

    /** The instances serving {@code node}, in cgroup order (those created so far). */
    public List<ReclaimPolicy> ofNode(int node) {
        List<ReclaimPolicy> out = new ArrayList<>();
        for (int cg = 0; cg < cgroups.size(); cg++) {
            ReclaimPolicy p = domains[cg * nodes + node];
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The instances of cgroup {@code memcg}, one per node (those created so far). */
    public List<ReclaimPolicy> ofCgroup(int memcg) {
        List<ReclaimPolicy> out = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            ReclaimPolicy p = domains[memcg * nodes + n];
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** Number of LRU domains with an instance. */
    public int instances() {
        int n = 0;
        for (ReclaimPolicy p : domains) {
            n += p == null ? 0 : 1;
        }
        return n;
    }

    // ---------------------------------------------------------------- ReclaimPolicy

    /** The active pages of every instance, summed; -1 if the policy keeps no active list (reports only). */
    @Override
    public long activePages(boolean anon) {
        long sum = 0;
        for (ReclaimPolicy p : domains) {
            if (p != null) {
                long n = p.activePages(anon);
                if (n < 0) {
                    return -1;
                }
                sum += n;
            }
        }
        return sum;
    }

    @Override
    public boolean observesEveryAccess() {
        return observe;
    }

    @Override
    public boolean observesMarkAccessed() {
        return domains[0].observesMarkAccessed();
    }

    @Override
    public void pageMarkedAccessed(int pfn) {
        policy(domainOf(pfn)).pageMarkedAccessed(pfn);
    }

    @Override
    public void pageAdded(int pfn, boolean anon) {
        referencedAdds++;
        policy(domainOf(pfn)).pageAdded(pfn, anon);
    }

    @Override
    public void pageAddedByWrite(int pfn) {
        referencedAdds++;
        policy(domainOf(pfn)).pageAddedByWrite(pfn);
    }

    @Override
    public void pageAddedUnreferenced(int pfn, boolean anon) {
        unreferencedAdds++;
        policy(domainOf(pfn)).pageAddedUnreferenced(pfn, anon);
    }

    /**
     * Migration within one domain keeps the page's place; across domains (another node) the page
     * leaves one policy and enters the other unreferenced. Call before the memcg charge moves:
     * {@code to} belongs to the group of {@code from}.
     */
    @Override
    public void pageMigrated(int from, int to, boolean anon) {
        int df = domainOf(from);
        int cg = owner == null ? 0 : owner[from] & 0xff;
        int dt = nodes == 1 ? cg : cg * nodes + frames.nodeOf(to);
        if (df == dt) {
            policy(df).pageMigrated(from, to, anon);
        } else {
            policy(df).pageRemoved(from);
            unreferencedAdds++;
            policy(dt).pageAddedUnreferenced(to, anon);
        }
    }

    @Override
    public void study(OfflineStudy.Study s) {
        this.study = s;
        for (ReclaimPolicy p : domains) {
            if (p instanceof OfflineStudy os) {
                os.study(s);
            }
        }
    }

    @Override
    public void pageRemoved(int pfn) {
        policy(domainOf(pfn)).pageRemoved(pfn);
    }

    @Override
    public void pageAccessed(int pfn, boolean write) {
        domains[domainOf(pfn)].pageAccessed(pfn, write);
    }

    /** Shrinks every domain in turn; the reclaim driver normally picks domains itself. */
    @Override
    public void shrink(ScanControl sc) {
        for (ReclaimPolicy p : domains) {
            if (p != null && sc.nrToReclaim() > 0) {
                p.shrink(sc);
            }
        }
    }

    @Override
    public long pageEvicted(int pfn) {
        return domains[domainOf(pfn)].pageEvicted(pfn);
    }

    @Override
    public long pageEvictedOnRequest(int pfn) {
        return domains[domainOf(pfn)].pageEvictedOnRequest(pfn);
    }

    @Override
    public void pageDeactivated(int pfn) {
        domains[domainOf(pfn)].pageDeactivated(pfn);
    }

    @Override
    public boolean pageRotated(int pfn) {
        return domains[domainOf(pfn)].pageRotated(pfn);
    }

    /** A refault whose shadow came from the page's own domain; see {@link #pageRefaulted(int, long, int)}. */
    @Override
    public void pageRefaulted(int pfn, long shadow) {
        policy(domainOf(pfn)).pageRefaulted(pfn, shadow);
    }

    /**
     * {@code workingset_refault()}: a page comes back with a shadow its eviction left in domain
     * {@code evictionDomain} ({@link #domainOf}; -1 for the page's own). The shadow is a value of
     * that domain's policy instance (its clock, its lists), and Linux judges the refault distance
     * against the eviction lruvec ({@code workingset_test_recent()}, 6.x: the memcg and node
     * unpacked from the shadow). Handed to the page's own instance only when it is that one; a
     * shadow from another domain (the page is now charged to another cgroup or lives on
     * another node) is not given to an instance that cannot read it: the refault counts, the
     * page comes in without activation, as Linux treats a shadow whose memcg is gone. The
     * {@code ReclaimPolicy} interface has no way to ask the eviction instance alone.
     */
    public void pageRefaulted(int pfn, long shadow, int evictionDomain) {
        int d = domainOf(pfn);
        if (evictionDomain < 0 || evictionDomain == d) {
            policy(d).pageRefaulted(pfn, shadow);
        } else {
            crossDomainRefaults++;
        }
    }

    /** Refaults whose shadow came from another LRU domain, not handed to the page's policy. */
    public long crossDomainRefaults() {
        return crossDomainRefaults;
    }

    @Override
    public int size() {
        int n = 0;
        for (ReclaimPolicy p : domains) {
            n += p == null ? 0 : p.size();
        }
        return n;
    }

    @Override
    public void verifyInvariants() {
        for (ReclaimPolicy p : domains) {
            if (p != null) {
                p.verifyInvariants();
            }
        }
    }
}
