package io.vmsim.core;

import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.memcg.RcuFrees;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.shmem.ShmemPages;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Objects Linux 6.18 frees after an RCU grace period stay charged to their memory cgroup until
 * it has passed: a child in a group of its own maps 16 MiB of shared anonymous memory, writes
 * it and exits, its parent in another group (as the conformance probe runs). The shmem inode
 * ({@code destroy_inode()} -> {@code call_rcu(i_callback)}) and the page cache's xarray nodes
 * ({@code xa_node_free()} -> {@code call_rcu(radix_tree_node_rcu_free)}) are still charged when
 * the exit is done; the VMA, the file and the dentry are not. On Linux 6.18.44 the group's
 * kernel memory was 80 KiB right after {@code waitpid()} and 0 300 ms later in the same case at
 * 32 MiB (conformance/README.md, "Kernel memory of a memory cgroup").
 */
final class MemcgRcuFreeTest {
    private static final int PAGES = 4096; // 16 MiB

    private static Machine machine() {
        return Machine.create(TestConfig.of("machine.memory", "256M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru", "vm.overcommit_memory", "1",
                "vmsim.debug_checks", "true"), new TestCatalog());
    }

    private Machine m;
    private Reclaim r;
    private MemCgroup cg;
    /** The inode's and the xarray nodes' bytes: what waits for the grace period. */
    private long pendingBytes;

    /** Runs the child to its exit; returns the group's {usage, kmem} in pages right after it. */
    private long[] childExits() {
        m = machine();
        r = Reclaim.of(m.kernel());
        SimProcess parent = m.spawn("probe", List.of(0));
        parent.mm().memcg = r.createCgroup("probe", Long.MAX_VALUE, Long.MAX_VALUE);
        int id = r.createCgroup("case", Long.MAX_VALUE, Long.MAX_VALUE);
        cg = r.lruDomains().cgroup(id);
        SimProcess child = m.fork(parent, 0);
        Mm mm = child.mm();
        mm.memcg = id;
        long a = m.syscalls().mmapAnon(mm, 0, (long) PAGES * 4096, "rw", true, 2L << 20);
        for (int i = 0; i < PAGES; i++) {
            m.access(child.threads().get(0), a + i * 4096L, true);
        }
        ShmemPages object = mm.findVma(a).anonVma().shmem();
        assertThat(object.xaNodesCharged(id)).as("xarray nodes of 4096 pages: at least 64 leaves and a node above").isGreaterThan(PAGES / 64);
        pendingBytes = AccountedSlabs.SHMEM_INODE + (long) object.xaNodesCharged(id) * AccountedSlabs.RADIX_TREE_NODE;
        m.syscalls().exit(mm, 0);
        m.debugChecks().check("after the exit");
        return new long[] {cg.current, cg.kmem};
    }

    @Test
    void rightAfterTheExit_theInodeAndTheXarrayNodesAreStillCharged() {
        long[] g = childExits();
        assertThat(r.rcuFrees().pendingBytes(cg.id())).isEqualTo(pendingBytes);
        // the pages of the objects still allocated, nothing more: the VMA, file and dentry went
        // back to the object stock and the parent's mm_struct drained it (drain_obj_stock())
        assertThat(g[1]).as("kmem pages").isEqualTo((pendingBytes + 4095) / 4096);
    }

    @Test
    void beforeTheGracePeriodEnds_nothingIsFreed_afterIt_everyObjectIs() {
        long[] g = childExits();
        m.kernel().clock.advance((RcuFrees.GRACE_PERIOD_NS - 1) * 1000);
        m.tick();
        assertThat(cg.kmem).as("kmem pages 1 ns before the grace period ends").isEqualTo(g[1]);
        m.kernel().clock.advance(1000);
        m.tick();
        m.debugChecks().check("after the grace period");
        assertThat(r.rcuFrees().pending()).isZero();
        // the callbacks' refill_obj_stock() takes the CPU's object stock over from the parent's
        // group and hands the whole pages above one to the page stock, still in the page
        // counter: the object stock keeps exactly one page (it gives back only what is above a
        // page; on Linux the next object another group frees on that CPU drains it)
        assertThat(r.lruDomains().stock().objStocked(cg)).as("bytes in the object stock").isEqualTo(4096);
        assertThat(cg.kmem).as("kmem pages after the grace period").isEqualTo(1);
        assertThat(cg.current).as("usage pages").isEqualTo(g[0]);
        assertThat(r.lruDomains().stock().stocked(cg)).isEqualTo(cg.current - 1);
    }
}
