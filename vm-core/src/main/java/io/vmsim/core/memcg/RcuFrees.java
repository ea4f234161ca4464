package io.vmsim.core.memcg;

import java.util.Arrays;

/**
 * Accounted slab objects the kernel frees after an RCU grace period ({@code call_rcu()}), kept
 * charged to their memory cgroup until then. Which objects vmsim charges are freed this way in
 * Linux 6.18 (the others are freed at once, {@code kmem_cache_free()} of a
 * {@code SLAB_TYPESAFE_BY_RCU} cache included, whose slab page alone waits for the grace period):
 *
 * <ul>
 * <li>the shmem inode: {@code destroy_inode()} (fs/inode.c) queues {@code i_callback()} with
 *     {@code call_rcu()}, which calls the filesystem's {@code ->free_inode},
 *     {@code shmem_free_in_core_inode()} (mm/shmem.c);</li>
 * <li>xarray nodes of a page cache: {@code xa_node_free()} (lib/xarray.c) queues
 *     {@code radix_tree_node_rcu_free()} (lib/radix-tree.c).</li>
 * </ul>
 * Freed at once: the {@code vm_area_struct} ({@code vm_area_cachep} is {@code SLAB_TYPESAFE_BY_RCU},
 * mm/vma_init.c), the anon_vma ({@code SLAB_TYPESAFE_BY_RCU} too) and its chains, the
 * {@code struct file} ({@code filp_cachep}, {@code SLAB_TYPESAFE_BY_RCU}, fs/file_table.c), the
 * dentry of a shmem file ({@code d_alloc_pseudo()} sets {@code DCACHE_NORCU}, fs/dcache.c) and the
 * {@code mm_struct}.
 *
 * <p>A callback runs on the CPU that queued it ({@code rcu_do_batch()} from {@code rcu_core()}),
 * once a grace period that began after it was queued has ended: {@link #GRACE_PERIOD_NS} after
 * the free, when the machine polls ({@link #runDue}). The kernel's grace period has no fixed
 * length; vmsim takes the shortest a quiet machine gives: the callback waits for the grace period
 * in progress to end and for a whole next one, and each ends at the first quiescent-state
 * forcing scan, {@code jiffies_till_first_fqs} after it starts ({@code RCU_JIFFIES_TILL_FORCE_QS},
 * kernel/rcu/tree.h: 1 jiffy at {@code CONFIG_HZ=250}, the recording machine's). That is 2
 * jiffies, 8 ms. On Linux 6.18.44 the shmem inode and xarray nodes of an OOM-killed task were
 * still charged when its parent read the group right after {@code waitpid()} and gone 300 ms
 * later (conformance/README.md, "Kernel memory of a memory cgroup").
 *
 * <p>The queue is kept in primitive arrays, in the order of the frees.
 */
public final class RcuFrees {
    /** {@code CONFIG_HZ} of the recording machine (Linux 6.18.44, /proc/config.gz). */
    public static final int HZ = 250;
    /** {@code RCU_JIFFIES_TILL_FORCE_QS} at {@link #HZ}: {@code 1 + (HZ > 250) + (HZ > 500)}. */
    public static final int JIFFIES_TILL_FORCE_QS = 1 + (HZ > 250 ? 1 : 0) + (HZ > 500 ? 1 : 0);
    /** Simulated time from a {@code call_rcu()} to its callback: two grace periods of one FQS scan each. */
    public static final long GRACE_PERIOD_NS = 2L * JIFFIES_TILL_FORCE_QS * (1_000_000_000L / HZ);

    private long[] due = new long[16];
    private int[] memcg = new int[16];
    private int[] bytes = new int[16];
    private int[] cpu = new int[16];
    private int head;
    private int tail;

    /** Callbacks queued and not yet run. */
    public int pending() {
        return tail - head;
    }

    /** Bytes queued for {@code memcgId} and not yet freed. */
    public long pendingBytes(int memcgId) {
        long n = 0;
        for (int i = head; i < tail; i++) {
            if (memcg[i] == memcgId) {
                n += bytes[i];
            }
        }
        return n;
    }

    /** {@code call_rcu()} at simulated time {@code nowNs}: an object of {@code size} bytes charged to {@code memcgId}, freed on {@code cpuId}. */
    public void queue(int memcgId, int size, int cpuId, long nowNs) {
        if (tail == due.length) {
            if (head > 0) {
                compact();
            } else {
                int n = due.length * 2;
                due = Arrays.copyOf(due, n);
                memcg = Arrays.copyOf(memcg, n);
                bytes = Arrays.copyOf(bytes, n);
                cpu = Arrays.copyOf(cpu, n);
            }
        }
        due[tail] = nowNs + GRACE_PERIOD_NS;
        memcg[tail] = memcgId;
        bytes[tail] = size;
        cpu[tail] = cpuId;
        tail++;
    }

    private void compact() {
        int n = tail - head;
        System.arraycopy(due, head, due, 0, n);
        System.arraycopy(memcg, head, memcg, 0, n);
        System.arraycopy(bytes, head, bytes, 0, n);
        System.arraycopy(cpu, head, cpu, 0, n);
        head = 0;
        tail = n;
    }

    /** What a callback does: the object's bytes go back to its group ({@code refill_obj_stock()}). */
    @FunctionalInterface
    public interface Free {
        void free(int memcgId, int size, int cpuId);
    }

    /**
     * Runs, in the order they were queued, the callbacks whose grace period has ended by
     * {@code nowNs}; returns how many ran. One comparison when none is due.
     */
    public int runDue(long nowNs, Free free) {
        int ran = 0;
        while (head < tail && due[head] <= nowNs) {
            int i = head++;
            free.free(memcg[i], bytes[i], cpu[i]);
            ran++;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return ran;
    }
}
