package io.vmsim.core;

import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.vmscan.Reclaim;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Shadow entries (mm/workingset.c): they carry the LRU domain of the eviction, and a shrinker trims them. */
final class ShadowEntriesTest {
    private static final long MIB = 1L << 20;

    private static Machine machine(String... kv) {
        String[] base = {"machine.memory", "64M", "mm.transparent_hugepage.enabled", "never", "policy.reclaim", "exact-lru",
                "vm.overcommit_memory", "1"};
        String[] all = new String[base.length + kv.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(kv, 0, all, base.length, kv.length);
        return Machine.create(TestConfig.of(all), new TestCatalog());
    }

    /**
     * A file read in cgroup A (memory.max 4 MiB) leaves shadows of A's domain. Read again from
     * cgroup B, the pages refault into B's domain: workingset_refault_file counts them, but B's
     * policy never gets A's shadows (values of A's instance; Linux judges them against the
     * eviction lruvec, workingset_test_recent()), while a re-read from A hands A its own.
     */
    @Test
    void aShadowFromAnotherMemcg_isCountedButNotHandedToThePagesNewDomain() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        PageCache pc = r.pageCache();
        LruDomains lru = r.lruDomains();
        int a = r.createCgroup("a", 4 * MIB, Long.MAX_VALUE);
        int b = r.createCgroup("b", 4 * MIB, Long.MAX_VALUE);
        SimProcess pa = m.spawn("a", List.of(0));
        pa.mm().memcg = a;
        SimProcess pb = m.spawn("b", List.of(0));
        pb.mm().memcg = b;
        int file = pc.createFile("f", 16 * MIB);
        long pages = (16 * MIB) >>> 12;
        for (long i = 0; i < pages; i++) {
            pc.read(pa.mm(), 0, file, i);
        }
        ReclaimTestPolicies.Recording policyA = TestCatalog.lastRecording;
        long shadowsOfA = 0;
        for (long i = 0; i < pages; i++) {
            shadowsOfA += pc.hasShadow(file, i) ? 1 : 0;
        }
        assertThat(shadowsOfA).isPositive();
        long refaults = m.vmstat().get("workingset_refault_file");
        // B reads the first 256 pages, A's shadows all (readahead brings a few more)
        for (long i = 0; i < 256; i++) {
            assertThat(pc.hasShadow(file, i)).isTrue();
        }
        for (long i = 0; i < 256; i++) {
            pc.read(pb.mm(), 0, file, i);
        }
        long shadowsLeft = 0;
        for (long i = 0; i < pages; i++) {
            shadowsLeft += pc.hasShadow(file, i) ? 1 : 0;
        }
        ReclaimTestPolicies.Recording policyB = TestCatalog.lastRecording;
        assertThat(policyB).isNotSameAs(policyA);
        long refaulted = m.vmstat().get("workingset_refault_file") - refaults;
        assertThat(refaulted).isGreaterThanOrEqualTo(256).isEqualTo(shadowsOfA - shadowsLeft);
        assertThat(m.vmstat().get("workingset_nodereclaim")).isZero();
        assertThat(policyB.refaults).isEmpty();
        assertThat(lru.crossDomainRefaults()).isEqualTo(refaulted);
        // A's own shadows still go back to A
        int before = policyA.refaults.size();
        long next = 256;
        while (!pc.hasShadow(file, next)) {
            next++;
        }
        pc.read(pa.mm(), 0, file, next);
        assertThat(policyA.refaults).hasSizeGreaterThan(before);
        assertThat(lru.crossDomainRefaults()).isEqualTo(refaulted);
        r.verify();
    }

    /**
     * The shadow shrinker (count_shadow_nodes(): shadow-only xarray nodes beyond present pages / 8)
     * frees whole nodes of 64 slots, oldest first, counting workingset_nodereclaim; workingset_nodes
     * is the number of nodes holding shadows and no page, counted here by brute force.
     */
    @Test
    void shadowNodesBeyondAnEighthOfMemory_areTrimmedOldestFirst() {
        Machine m = machine();
        Reclaim r = Reclaim.of(m.kernel());
        PageCache pc = r.pageCache();
        long fileBytes = 768 * MIB;
        int file = pc.createFile("stream", fileBytes);
        SimProcess p = m.spawn("reader", List.of(0));
        long pages = fileBytes >>> 12;
        for (long i = 0; i < pages; i++) {
            pc.read(p.mm(), 0, file, i);
            if ((i & 255) == 0) {
                m.tick();
            }
        }
        long maxNodes = m.kernel().frames.nrFrames() >> 3;
        long evicted = m.vmstat().get("pgsteal_kswapd") + m.vmstat().get("pgsteal_direct");
        assertThat(evicted / 64).as("shadow-only nodes made").isGreaterThan(maxNodes);
        assertThat(m.vmstat().get("workingset_nodereclaim")).isPositive();
        long nodes = 0;
        long shadows = 0;
        for (long n = 0; n < pages / 64; n++) {
            boolean anyShadow = false;
            boolean anyPage = false;
            for (long i = n * 64; i < n * 64 + 64; i++) {
                anyShadow |= pc.hasShadow(file, i);
                anyPage |= pc.lookup(file, i) >= 0;
                shadows += pc.hasShadow(file, i) ? 1 : 0;
            }
            nodes += anyShadow && !anyPage ? 1 : 0;
        }
        assertThat(m.vmstat().get("workingset_nodes")).isEqualTo(nodes);
        assertThat(m.vmstat().get("nr_shadow_entries")).isEqualTo(shadows).isLessThan(evicted);
        // the oldest evictions lost their shadows first; the newest keep theirs
        assertThat(pc.hasShadow(file, 0)).isFalse();
        long newest = pages - 1;
        while (pc.lookup(file, newest) >= 0) {
            newest--;
        }
        assertThat(pc.hasShadow(file, newest)).isTrue();
        r.verify();
    }
}
