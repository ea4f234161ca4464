package io.vmsim.core.migration;

import java.util.Locale;
import java.util.SplittableRandom;

/** Which pages the migrating guest writes ({@code migration.dirty_pattern}). */
public enum DirtyPattern {
    /** Uniformly random over the whole RAM. */
    UNIFORM,
    /** Uniformly random over a hot set, the first tenth of the RAM (at least one page). */
    HOTSET,
    /** Page after page from a random start, wrapping at the end of the RAM. */
    SEQUENTIAL;

    /** The pattern of a {@code migration.dirty_pattern} value. */
    public static DirtyPattern byName(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /** The configuration spelling. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The pages the guest writes, one after another, from a seeded random source; allocates nothing per page. */
    public static final class Stream {
        private final DirtyPattern pattern;
        private final long pages;
        private final SplittableRandom random;
        private long next;

        public Stream(DirtyPattern pattern, long pages, long seed) {
            this.pattern = pattern;
            this.pages = pages;
            this.random = new SplittableRandom(seed);
            this.next = pattern == SEQUENTIAL ? random.nextLong(pages) : 0;
        }

        /** The page of the guest's next write. */
        public long nextPage() {
            return switch (pattern) {
                case UNIFORM -> random.nextLong(pages);
                case HOTSET -> random.nextLong(Math.max(1, pages / 10));
                case SEQUENTIAL -> {
                    long p = next;
                    next = p + 1 == pages ? 0 : p + 1;
                    yield p;
                }
            };
        }
    }
}
