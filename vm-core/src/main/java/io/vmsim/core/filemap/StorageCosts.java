package io.vmsim.core.filemap;

import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;

/**
 * What storage and reverse-map work cost, in picoseconds, from the {@code cost.io_*} and
 * {@code cost.rmap_ns} keys: one request's latency plus a transfer time per 4 KiB page, the
 * same device model for files and swap.
 *
 * @param ioLatencyPs one storage request
 * @param ioPagePs    transferring one 4 KiB page
 * @param rmapPs      one page-table entry visited by a reverse-map walk
 */
public record StorageCosts(long ioLatencyPs, long ioPagePs, long rmapPs) {
    /** Reads the keys of {@code config}. */
    public static StorageCosts of(CoreConfig config) {
        return new StorageCosts(ps(config, CoreKeys.COST_IO_LATENCY), ps(config, CoreKeys.COST_IO_PAGE),
                ps(config, CoreKeys.COST_RMAP));
    }

    /** A synchronous read or write of {@code pages} pages in one request. */
    public long requestPs(long pages) {
        return ioLatencyPs + pages * ioPagePs;
    }

    private static long ps(CoreConfig c, String key) {
        return Math.round(c.getDouble(key) * 1000.0);
    }
}
