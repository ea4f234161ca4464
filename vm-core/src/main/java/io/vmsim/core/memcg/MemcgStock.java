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
 */
public final class MemcgStock {
    /** {@code MEMCG_CHARGE_BATCH}: pages a charge takes from the page counter at once (include/linux/memcontrol.h). */
    public static final int MEMCG_CHARGE_BATCH = 64;
    /** {@code NR_MEMCG_STOCK}: groups one CPU's stock holds. */
    public static final int NR_MEMCG_STOCK = 7;

    private MemCgroup[] cached = new MemCgroup[0];
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
