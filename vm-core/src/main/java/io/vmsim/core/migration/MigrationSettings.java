package io.vmsim.core.migration;

import io.vmsim.core.config.CoreConfig;
import io.vmsim.core.config.CoreKeys;

/**
 * The guest, the link and the limits of one migration, from the {@code migration.*} keys.
 *
 * @param pages         the guest's RAM R in 4 KiB pages
 * @param dirtyRateMBps the guest's dirty rate D in MB/s (10^6 bytes); 0 writes nothing
 * @param pattern       which pages the guest writes
 * @param bandwidthMBps the link's bandwidth B in MB/s (10^6 bytes), at least 1
 * @param rttUs         the link's round-trip time in us
 * @param maxDowntimeMs the downtime limit in ms
 * @param maxRounds     the most precopy rounds
 */
public record MigrationSettings(long pages, long dirtyRateMBps, DirtyPattern pattern, long bandwidthMBps, long rttUs,
                                long maxDowntimeMs, int maxRounds) {
    /** Bytes of a page. */
    public static final long PAGE = 4096;

    public MigrationSettings {
        if (pages <= 0 || bandwidthMBps <= 0 || dirtyRateMBps < 0 || rttUs < 0 || maxDowntimeMs < 0 || maxRounds < 1) {
            throw new IllegalArgumentException("migration settings out of range: " + pages + " pages, D " + dirtyRateMBps
                    + " MB/s, B " + bandwidthMBps + " MB/s, RTT " + rttUs + " us, " + maxDowntimeMs + " ms, "
                    + maxRounds + " rounds");
        }
    }

    /** The settings of a run's configuration. */
    public static MigrationSettings of(CoreConfig config) {
        return new MigrationSettings(config.getLong(CoreKeys.MIGRATION_RAM) / PAGE,
                config.getLong(CoreKeys.MIGRATION_DIRTY_RATE_MBPS),
                DirtyPattern.byName(config.getString(CoreKeys.MIGRATION_DIRTY_PATTERN)),
                config.getLong(CoreKeys.MIGRATION_BANDWIDTH_MBPS), config.getLong(CoreKeys.MIGRATION_RTT_US),
                config.getLong(CoreKeys.MIGRATION_MAX_DOWNTIME_MS), config.getInt(CoreKeys.MIGRATION_MAX_ROUNDS));
    }

    /** Picoseconds one page occupies the link: 4096 x 10^6 / B, rounded down. */
    public long pageWirePs() {
        return PAGE * 1_000_000L / bandwidthMBps;
    }

    /** Picoseconds of guest run time between two writes: 4096 x 10^6 / D, rounded down; {@link Long#MAX_VALUE} when D is 0. */
    public long writeIntervalPs() {
        return dirtyRateMBps == 0 ? Long.MAX_VALUE : Math.max(1, PAGE * 1_000_000L / dirtyRateMBps);
    }

    /** The round-trip time in ps. */
    public long rttPs() {
        return rttUs * 1_000_000L;
    }

    /** The downtime limit in ps. */
    public long maxDowntimePs() {
        return maxDowntimeMs * 1_000_000_000L;
    }
}
