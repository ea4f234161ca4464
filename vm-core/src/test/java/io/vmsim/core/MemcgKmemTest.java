package io.vmsim.core;

import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.mm.Task;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kernel memory of a memory cgroup against what Linux 6.18.44 charged
 * (conformance/kmem/memcg-kmem.json, recorded by conformance/kmem/memcg-kmem.c): the same steps
 * replayed in vmsim move the group's kernel memory ({@code memory.kmem.usage_in_bytes}) by what
 * they moved it there. Page tables are compared apart: the probe's areas sit where the kernel
 * put them, and a 2 MiB range it wrote may already have had its PTE table. Bound: one page
 * either way, because each of the probe's reads of the file allocates (and frees) a struct file
 * and a seq_file buffer, and because of that PTE table.
 */
final class MemcgKmemTest {
    private static final long PAGE = 4096;
    private static Map<String, Object> recorded;

    @BeforeAll
    static void load() throws IOException {
        recorded = Recordings.load("conformance/kmem/memcg-kmem.json");
    }

    @SuppressWarnings("unchecked")
    private static long rec(String step, String field) {
        return ((Number) ((Map<String, Object>) recorded.get(step)).get(field)).longValue();
    }

    private static Machine machine() {
        return Machine.create(TestConfig.of("machine.memory", "256M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru", "vm.overcommit_memory", "1",
                "vmsim.debug_checks", "true"), new TestCatalog());
    }

    @Test
    void slotSizes_areThoseTheKernelReported() {
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) recorded.get("objsize");
        long ptr = AccountedSlabs.OBJCG_POINTER;
        assertThat(AccountedSlabs.VM_AREA_STRUCT - ptr).isEqualTo(((Number) size.get("vm_area_struct")).longValue());
        assertThat(AccountedSlabs.ANON_VMA - ptr).isEqualTo(((Number) size.get("anon_vma")).longValue());
        assertThat(AccountedSlabs.ANON_VMA_CHAIN - ptr).isEqualTo(((Number) size.get("anon_vma_chain")).longValue());
        assertThat(AccountedSlabs.SHMEM_INODE - ptr).isEqualTo(((Number) size.get("shmem_inode_cache")).longValue());
        assertThat(AccountedSlabs.DENTRY - ptr).isEqualTo(((Number) size.get("dentry")).longValue());
        assertThat(AccountedSlabs.FILP - ptr).isEqualTo(((Number) size.get("filp")).longValue());
        assertThat(AccountedSlabs.RADIX_TREE_NODE - ptr).isEqualTo(((Number) size.get("radix_tree_node")).longValue());
    }

    @Test
    void areas_theirAnonVmas_andAShmemObject_chargeTheGroupsKernelMemoryAsLinuxDid() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        int id = r.createCgroup("probe", Long.MAX_VALUE, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess p = m.spawn("probe", List.of(0));
        Mm mm = p.mm();
        mm.memcg = id; // the child joined the group after the fork
        Task t = p.threads().get(0);
        int n = (int) rec("vmas", "n");

        // n separate 4 KiB areas, placed as the kernel placed them: top-down, adjacent, alternately rw and r
        long top = 0x7000_0000_0000L;
        long[] a = new long[n];
        long k0 = cg.kmem;
        for (int i = 0; i < n; i++) {
            a[i] = m.syscalls().mmapAnon(mm, top - (i + 1) * PAGE, PAGE, i % 2 == 0 ? "rw" : "r", false, PAGE);
        }
        assertThat(mm.pageTablePages()).isEqualTo(1); // nothing touched: the root alone
        long vmasKb = (cg.kmem - k0) * 4;
        assertThat(vmasKb).as("kmem for %d areas", n).isBetween(rec("vmas", "kmem_delta_kb") - 4, rec("vmas", "kmem_delta_kb") + 4);

        // the first write to each rw area: an anon_vma and its chain each (and the PTE tables)
        long k1 = cg.kmem;
        long tables1 = mm.pageTablePages();
        for (int i = 0; i < n; i += 2) {
            m.access(t, a[i], true);
        }
        long objectsKb = (cg.kmem - k1 - (mm.pageTablePages() - tables1)) * 4;
        long linuxKb = rec("anon_vmas", "kmem_delta_kb") - 4 * rec("anon_vmas", "ranges_2m");
        assertThat(objectsKb).as("kmem for %d anon_vmas and chains", n / 2).isBetween(linuxKb - 4, linuxKb + 8);

        // 16 MiB of shared anonymous memory: the shmem inode, dentry and file; then its xarray nodes
        long k2 = cg.kmem;
        long len = rec("shmem", "pages") * PAGE;
        long s = m.syscalls().mmapAnon(mm, 0, len, "rw", true, PAGE);
        assertThat((cg.kmem - k2) * 4).as("kmem of the shmem mmap")
                .isBetween(rec("shmem", "mmap_kmem_delta_kb") - 4, rec("shmem", "mmap_kmem_delta_kb") + 4);
        long k3 = cg.kmem;
        long tables3 = mm.pageTablePages();
        for (long off = 0; off < len; off += PAGE) {
            m.access(t, s + off, true);
        }
        long nodesKb = (cg.kmem - k3 - (mm.pageTablePages() - tables3)) * 4;
        long linuxNodesKb = rec("shmem", "write_kmem_delta_kb") - 4 * rec("shmem", "ranges_2m");
        assertThat(nodesKb).as("kmem of the xarray nodes of %d pages", len / PAGE).isBetween(linuxNodesKb - 4, linuxNodesKb + 8);
        m.debugChecks().check("test");

        // exit: every object goes back to the group's stocks, the inode and the xarray nodes
        // after an RCU grace period; the kernel memory left is the partial page the object
        // stock still holds
        m.syscalls().exit(mm, 0);
        m.kernel().clock.advance(io.vmsim.core.memcg.RcuFrees.GRACE_PERIOD_NS * 1000);
        m.tick();
        assertThat(cg.kmem).isLessThanOrEqualTo(1);
        m.debugChecks().check("test");
    }
}
