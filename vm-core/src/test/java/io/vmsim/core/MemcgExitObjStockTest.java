package io.vmsim.core;

import io.vmsim.core.memcg.MemCgroup;
import io.vmsim.core.mm.AccountedSlabs;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a task's memory cgroup keeps of its kernel objects after the task exits, against
 * conformance/kmem/memcg-exit-objstock.json (Linux 6.18.44, recorded by
 * conformance/kmem/memcg-exit-objstock.c): a child that joined a group, mapped and wrote an area,
 * exits. Its VMA, anon_vma and chain (384 bytes) took one page into the group's object stock;
 * freeing them brings the stock back to exactly one page, which {@code refill_obj_stock()} keeps
 * (it hands back only what is above a page). Its {@code mm_struct} was charged to the group of
 * the process that forked it and is freed after them on the same CPU: when that group is not
 * the root, the object stock changes hands and {@code drain_obj_stock()} takes the page off the
 * child's group. Linux's usage after the exit is one page higher with the parent in the root
 * group than with the parent in a group of its own (most frequent values of eight runs each).
 */
final class MemcgExitObjStockTest {
    private static Map<String, Object> recorded;

    @BeforeAll
    static void load() throws IOException {
        recorded = Recordings.load("conformance/kmem/memcg-exit-objstock.json");
    }

    /** The most frequent usage_kb right after waitpid() of the runs with the parent placed as {@code key} says. */
    @SuppressWarnings("unchecked")
    private static long linuxUsageKb(String key) {
        Map<Long, Integer> count = new HashMap<>();
        for (Object run : (List<Object>) recorded.get(key)) {
            count.merge(((Number) ((List<Object>) run).get(0)).longValue(), 1, Integer::sum);
        }
        return count.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static Machine machine() {
        return Machine.create(TestConfig.of("machine.memory", "256M", "swap.size", "0",
                "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru", "vm.overcommit_memory", "1",
                "vmsim.debug_checks", "true"), new TestCatalog());
    }

    /** Pages the child's group holds after the child exits, the forking process in {@code parentGroup} (null: the root). */
    private static long[] afterExit(boolean parentInGroup) {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        SimProcess parent = m.spawn("probe", List.of(0));
        if (parentInGroup) {
            parent.mm().memcg = r.createCgroup("probe", Long.MAX_VALUE, Long.MAX_VALUE);
        }
        int id = r.createCgroup("case", Long.MAX_VALUE, Long.MAX_VALUE);
        MemCgroup cg = r.lruDomains().cgroup(id);
        SimProcess child = m.fork(parent, 0);
        Mm mm = child.mm();
        mm.memcg = id; // the child joined the group after the fork
        long a = m.syscalls().mmapAnon(mm, 0, 4096, "rw", false, 4096);
        m.access(child.threads().get(0), a, true);
        m.syscalls().exit(mm, 0);
        m.debugChecks().check("test");
        return new long[] {cg.current, cg.kmem, r.lruDomains().stock().stocked(cg)};
    }

    @Test
    void parentInTheRootGroup_theObjectStockKeepsItsLastPage() {
        long[] g = afterExit(false);
        assertThat(g[1]).as("kernel memory: the object stock's page").isEqualTo(1);
        assertThat(g[0]).isEqualTo(g[2] + 1);
        assertThat(AccountedSlabs.VM_AREA_STRUCT + AccountedSlabs.ANON_VMA + AccountedSlabs.ANON_VMA_CHAIN).isLessThan(4096);
    }

    @Test
    void parentInAGroupOfItsOwn_itsMmStructDrainsTheChildsObjectStock() {
        long[] g = afterExit(true);
        assertThat(g[1]).as("kernel memory after the exit").isZero();
        assertThat(g[0]).as("usage: the freed page tables in the page stock, nothing else").isEqualTo(g[2]);
    }

    @Test
    void theDifferenceIsThePageLinuxShowed() {
        long root = afterExit(false)[0];
        long own = afterExit(true)[0];
        long linux = linuxUsageKb("parent_in_root_group") - linuxUsageKb("parent_in_own_group");
        assertThat(linux).as("Linux: usage with the parent in the root minus in its own group").isEqualTo(4);
        assertThat((root - own) * 4).isEqualTo(linux);
    }
}
