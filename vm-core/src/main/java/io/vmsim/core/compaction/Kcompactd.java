package io.vmsim.core.compaction;

import io.vmsim.core.alloc.CompactionHooks;
import io.vmsim.core.alloc.Zone;
import io.vmsim.core.time.Daemons;
import io.vmsim.core.vmstat.VmEvent;
import io.vmsim.core.vmstat.VmStat;

import java.util.List;

/**
 * {@code kcompactd}: the per-node compaction thread of {@code mm/compaction.c}. Woken (by the
 * allocator when a high-order allocation found no free block, as {@code wakeup_kcompactd()}
 * is called from kswapd) with the order that was wanted, it compacts the node's zones with
 * sync-light priority until a block of that order exists ({@code kcompactd_do_work()}), then
 * sleeps until woken again. Its time is its own, not the workload's ({@link Daemons}).
 */
public final class Kcompactd implements Daemons.Daemon {
    private final Compaction compaction;
    private final List<Zone> zones;
    private final int node;
    private final VmStat vmstat;
    private Daemons daemons;
    private int id = -1;
    private int maxOrder = -1;

    Kcompactd(Compaction compaction, List<Zone> zones, int node, VmStat vmstat) {
        this.compaction = compaction;
        this.zones = zones;
        this.node = node;
        this.vmstat = vmstat;
    }

    /** Registers one kcompactd per node and connects them to {@code compaction}. */
    public static void start(Compaction compaction, List<Zone> zones, int nodes, Daemons daemons, VmStat vmstat) {
        Kcompactd[] all = new Kcompactd[nodes];
        for (int n = 0; n < nodes; n++) {
            all[n] = new Kcompactd(compaction, zones, n, vmstat);
            all[n].daemons = daemons;
            all[n].id = daemons.register(all[n], -1);
        }
        compaction.setKcompactd(all);
    }

    @Override
    public String name() {
        return "kcompactd" + node;
    }

    /** {@code wakeup_kcompactd()}: remember the largest order wanted and wake the thread. */
    void wake(int order) {
        if (order > maxOrder) {
            maxOrder = order;
        }
        if (daemons != null && daemons.sleeping(id)) {
            vmstat.count(VmEvent.COMPACT_DAEMON_WAKE);
            daemons.wake(id);
        }
    }

    @Override
    public long run(long nowNs) {
        int order = maxOrder;
        maxOrder = -1;
        if (order <= 0) {
            return -1;
        }
        for (Zone z : zones) {
            if (z.node() == node && compaction.compactZone(z, order, CompactionHooks.PRIO_SYNC, true, 0)
                    == Compaction.Result.SUCCESS) {
                break;
            }
        }
        return -1;
    }
}
