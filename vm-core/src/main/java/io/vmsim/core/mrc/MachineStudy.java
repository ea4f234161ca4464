package io.vmsim.core.mrc;

import io.vmsim.api.policy.OfflineStudy;
import io.vmsim.api.policy.PolicyException;
import io.vmsim.core.Machine;
import io.vmsim.core.SimProcess;
import io.vmsim.core.config.ConfigLoader;
import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;
import io.vmsim.core.filemap.PageCache;
import io.vmsim.core.memcg.LruDomains;
import io.vmsim.core.mm.Mm;
import io.vmsim.core.plugin.PolicyCatalog;
import io.vmsim.core.vmscan.Reclaim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code --machine} engine of {@code vmsim mrc}: one policy with N pages replays the trace
 * through the full simulated machine instead of {@link MrcRun}'s bare frames. Each reference is
 * a {@code read()} of one page of one file (page id = file page index) by a process in a memory
 * cgroup whose {@code memory.max} is exactly N pages, so the page cache, the memcg charge, the
 * reclaim driver of {@code mm/vmscan.c} and the policy's own LRU domain all take part. The
 * machine is set so that only the cgroup limit ever reclaims, one page at a time, when a miss
 * finds the group full ({@link #STUDY_KEYS}): readahead off, {@code memcg.reclaim_batch=1},
 * no kernel memory charged to the group ({@code memcg.kmem=false}: the page cache's xarray nodes
 * would take room from the N pages), one node, no THP, and memory enough that no watermark is ever reached.
 *
 * <p>The two engines drive the policy by the same contract (see
 * {@link io.vmsim.api.policy.ReclaimPolicy}), so they must count the same misses; a property
 * test and {@code vmsim mrc --machine} on the shared traces check that they do.
 */
public final class MachineStudy {
    /** The keys the engine sets over the user's configuration, and why (see the class comment). */
    public static final Map<String, String> STUDY_KEYS = Map.of(
            CoreKeys.READ_AHEAD_KB, "0",
            CoreKeys.MEMCG_RECLAIM_BATCH, "1",
            CoreKeys.MEMCG_KMEM, "false",
            CoreKeys.NODES, "1",
            CoreKeys.THP_ENABLED, "never");

    private MachineStudy() {
    }

    /** Bytes of simulated memory for a study of {@code n} pages: the group's pages and a margin, in 2 MiB units. */
    static long memoryFor(int n) {
        long bytes = ((long) n << 12) + ((long) n << 10) + (64L << 20);
        return (bytes + (2L << 20) - 1) & -(2L << 20);
    }

    /** The configuration of one run: the user's keys, the policy, the memory, and {@link #STUDY_KEYS}. */
    static CoreConfig configFor(PolicyCatalog catalog, Map<String, String> base, String policy, int n) {
        ConfigLoader loader = new ConfigLoader(catalog);
        Map<String, String> keys = new LinkedHashMap<>(base);
        keys.put(CoreKeys.POLICY_RECLAIM, policy);
        keys.put(CoreKeys.MEMORY, Long.toString(memoryFor(n)));
        keys.putAll(STUDY_KEYS);
        keys.forEach(loader::set);
        return loader.load();
    }

    /** Replays {@code trace} through a machine whose study cgroup holds {@code n} pages; returns the misses. */
    static long runOne(MrcTrace trace, String policy, String origin, PolicyCatalog catalog, Map<String, String> base,
                       int n, AtomicLong progress) {
        Machine m = Machine.create(configFor(catalog, base, policy, n), catalog);
        Reclaim reclaim = Reclaim.of(m.kernel());
        LruDomains lru = m.kernel().reclaim;
        PageCache cache = reclaim.pageCache();
        int cg = reclaim.createCgroup("mrc", (long) n << 12, Long.MAX_VALUE);
        SimProcess proc = m.spawn("mrc", List.of(0));
        Mm mm = proc.mm();
        mm.memcg = cg;
        int file = cache.createFile(trace.source(), (long) trace.distinctPages() << 12);
        StudyCursor d = new StudyCursor();
        d.whole = trace;
        long fileKey = (long) file << 32; // the page key the machine gives page id of the file: (file id, page index)
        lru.study(d);
        final int[] refs = trace.packed();
        int reported = 0;
        try {
            for (int i = 0; i < refs.length; i++) {
                int id = refs[i] >>> 1;
                d.at = i;
                d.incoming = cache.lookup(file, id) < 0 ? fileKey | id : OfflineStudy.Study.NO_PAGE_KEY;
                cache.read(mm, 0, file, id);
                if (i - reported >= 1 << 16) {
                    progress.addAndGet(i - reported);
                    reported = i;
                    m.tick();
                }
            }
        } catch (PolicyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PolicyException(PolicyException.Kind.PLUGIN_FAILURE, policy, origin,
                    "failed with " + n + " pages in --machine: " + e, e);
        }
        progress.addAndGet(refs.length - reported);
        long misses = cache.file(file).misses;
        long reclaimedElsewhere = m.vmstat().getOrDefault("pgsteal_kswapd", 0L);
        if (reclaimedElsewhere != 0) {
            throw new IllegalStateException("--machine study of " + policy + " with " + n + " pages: kswapd reclaimed "
                    + reclaimedElsewhere + " pages; the machine was meant to reclaim only at the cgroup limit");
        }
        lru.verifyInvariants();
        return misses;
    }
}
