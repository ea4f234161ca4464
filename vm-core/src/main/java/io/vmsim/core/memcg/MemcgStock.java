package io.vmsim.core.memcg;

import java.util.Arrays;

/**
 * The per-CPU charge stock of memory cgroups ({@code struct memcg_stock_pcp}, mm/memcontrol.c,
 * Linux 6.16 to 6.18): each CPU keeps pages already charged to the page counter of up to
 * {@link #NR_MEMCG_STOCK} groups, so that most charges take a page from it instead of charging
 * the counter. {@code try_charge_memcg()} charges {@link #MEMCG_CHARGE_BATCH} pages at once and
 * stocks the surplus. Stocked pages count in {@code memory.current} (the page counter) until
 * they are used or drained.
 *
 * <p>Simplification: when all seven slots hold other groups, Linux evicts one chosen at random
 * ({@code get_random_u32_below()}); here the slots are evicted in turn, so runs stay
 * reproducible. {@code drain_all_stock()} drains the other CPUs from a work item Linux does not
 * wait for; here they are drained at once.
 *
 * <p>Each CPU also has a byte stock for slab objects ({@code struct obj_stock_pcp}, Linux 6.16 to
 * 6.18): the bytes of the pages one group's {@code obj_cgroup} took from the page counter and
 * has not handed out to objects yet, for one group at a time. Its pages count in the group's
 * kernel memory ({@link MemCgroup#kmem}, {@code memory.kmem.usage_in_bytes}) until whole pages
 * of freed objects go back to the page stock ({@code obj_cgroup_uncharge_pages()}).
 */
public final class MemcgStock {
    /** {@code MEMCG_CHARGE_BATCH}: pages a charge takes from the page counter at once (include/linux/memcontrol.h). */
    public static final int MEMCG_CHARGE_BATCH = 64;
    /** {@code NR_MEMCG_STOCK}: groups one CPU's stock holds. */
    public static final int NR_MEMCG_STOCK = 7;
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_SIZE = 1 << PAGE_SHIFT;

    private MemCgroup[] cached = new MemCgroup[0];
    /** {@code obj_stock_pcp.cached_objcg} and {@code nr_bytes}, per CPU. */
    private MemCgroup[] objCached = new MemCgroup[0];
    private int[] objBytes = new int[0];
    private int[] nrPages = new int[0];
    private int[] evictIdx = new int[0];

    private void ensure(int cpu) {
        int n = (cpu + 1) * NR_MEMCG_STOCK;
        if (cached.length < n) {
            cached = Arrays.copyOf(cached, n);
            nrPages = Arrays.copyOf(nrPages, n);
            evictIdx = Arrays.copyOf(evictIdx, cpu + 1);
        }
    }

    /**
     * {@code consume_stock()}: takes {@code nr} pages of {@code cg}'s stock on {@code cpu}; false
     * if the stock holds fewer (or {@code nr} is above the batch).
     */
    public boolean consume(MemCgroup cg, int nr, int cpu) {
        if (nr > MEMCG_CHARGE_BATCH) {
            return false;
        }
        ensure(cpu);
        int base = cpu * NR_MEMCG_STOCK;
        for (int i = base; i < base + NR_MEMCG_STOCK; i++) {
            if (cached[i] == cg && nrPages[i] >= nr) {
                nrPages[i] -= nr;
                return true;
            }
        }
        return false;
    }

    /**
     * {@code refill_stock()}: {@code nr} pages charged to {@code cg} go to {@code cpu}'s stock;
     * a slot that holds more than {@link #MEMCG_CHARGE_BATCH} pages is drained, and a group not
     * in the stock takes a free slot or evicts (drains) one.
     */
    public void refill(MemCgroup cg, int nr, int cpu) {
        ensure(cpu);
        int base = cpu * NR_MEMCG_STOCK;
        int empty = -1;
        for (int i = base; i < base + NR_MEMCG_STOCK; i++) {
            if (cached[i] == cg) {
                nrPages[i] += nr;
                if (nrPages[i] > MEMCG_CHARGE_BATCH) {
                    drainSlot(i);
                }
                return;
            }
            if (cached[i] == null && empty < 0) {
                empty = i;
            }
        }
        if (empty < 0) {
            empty = base + evictIdx[cpu];
            evictIdx[cpu] = (evictIdx[cpu] + 1) % NR_MEMCG_STOCK;
            drainSlot(empty);
        }
        cached[empty] = cg;
        nrPages[empty] = nr;
        if (nr > MEMCG_CHARGE_BATCH) {
            drainSlot(empty);
        }
    }

    private void ensureObj(int cpu) {
        if (objCached.length <= cpu) {
            objCached = Arrays.copyOf(objCached, cpu + 1);
            objBytes = Arrays.copyOf(objBytes, cpu + 1);
        }
    }

    /**
     * {@code consume_obj_stock()}: takes {@code nrBytes} of {@code cg}'s object stock on
     * {@code cpu}; false if the CPU's object stock holds another group or fewer bytes.
     */
    public boolean consumeObj(MemCgroup cg, int nrBytes, int cpu) {
        ensureObj(cpu);
        if (objCached[cpu] == cg && objBytes[cpu] >= nrBytes) {
            objBytes[cpu] -= nrBytes;
            return true;
        }
        return false;
    }

    /**
     * {@code refill_obj_stock()}: {@code nrBytes} charged to {@code cg} go to {@code cpu}'s
     * object stock. A stock holding another group is drained first and takes over the group's
     * {@link MemCgroup#nrChargedBytes}; then (or when {@code allowUncharge}, as for a freed
     * object) a stock above one page gives its whole pages back: they leave the group's kernel
     * memory and go to the page stock ({@code obj_cgroup_uncharge_pages()} -> {@code refill_stock()}).
     */
    public void refillObj(MemCgroup cg, int nrBytes, boolean allowUncharge, int cpu) {
        ensureObj(cpu);
        if (objCached[cpu] != cg) {
            drainObj(cpu);
            objCached[cpu] = cg;
            objBytes[cpu] = (int) cg.nrChargedBytes;
            cg.nrChargedBytes = 0;
            allowUncharge = true;
        }
        objBytes[cpu] += nrBytes;
        if (allowUncharge && objBytes[cpu] > PAGE_SIZE) {
            int nrPages = objBytes[cpu] >>> PAGE_SHIFT;
            objBytes[cpu] &= PAGE_SIZE - 1;
            cg.kmem -= nrPages;
            refill(cg, nrPages, cpu);
        }
    }

    /**
     * {@code drain_obj_stock()}: the whole pages of {@code cpu}'s object stock go back to its
     * group's page counter ({@code memcg_uncharge()}) and leave its kernel memory; the bytes
     * short of a page go to the group's {@link MemCgroup#nrChargedBytes}.
     */
    private void drainObj(int cpu) {
        MemCgroup old = objCached[cpu];
        if (old == null) {
            return;
        }
        int nrPages = objBytes[cpu] >>> PAGE_SHIFT;
        if (nrPages > 0) {
            old.kmem -= nrPages;
            old.current -= nrPages;
        }
        old.nrChargedBytes += objBytes[cpu] & (PAGE_SIZE - 1);
        objBytes[cpu] = 0;
        objCached[cpu] = null;
    }

    /** Bytes of {@code cg} in the object stocks of all CPUs. */
    public long objStocked(MemCgroup cg) {
        long n = 0;
        for (int cpu = 0; cpu < objCached.length; cpu++) {
            if (objCached[cpu] == cg) {
                n += objBytes[cpu];
            }
        }
        return n;
    }

    /** {@code drain_stock()}: the slot's pages go back to its group's page counter. */
    private void drainSlot(int i) {
        MemCgroup cg = cached[i];
        if (cg != null) {
            cg.current -= nrPages[i];
        }
        nrPages[i] = 0;
        cached[i] = null;
    }

    /** {@code drain_local_memcg_stock()}: every slot of {@code cpu}. */
    public void drainCpu(int cpu) {
        ensure(cpu);
        for (int i = cpu * NR_MEMCG_STOCK; i < (cpu + 1) * NR_MEMCG_STOCK; i++) {
            drainSlot(i);
        }
    }

    /**
     * {@code drain_all_stock()}: every CPU whose stock holds pages of {@code cg} (groups do not
     * nest here, so the subtree is the group) drains all its slots.
     */
    public void drainAll(MemCgroup cg) {
        // obj_stock_flush_required(): an object stock of the group is drained too
        for (int cpu = 0; cpu < objCached.length; cpu++) {
            if (objCached[cpu] == cg) {
                drainObj(cpu);
            }
        }
        for (int cpu = 0; cpu < evictIdx.length; cpu++) {
            for (int i = cpu * NR_MEMCG_STOCK; i < (cpu + 1) * NR_MEMCG_STOCK; i++) {
                if (cached[i] == cg && nrPages[i] > 0) {
                    drainCpu(cpu);
                    break;
                }
            }
        }
    }

    /** Pages of {@code cg} in the stocks of all CPUs. */
    public long stocked(MemCgroup cg) {
        long n = 0;
        for (int i = 0; i < cached.length; i++) {
            if (cached[i] == cg) {
                n += nrPages[i];
            }
        }
        return n;
    }
}
