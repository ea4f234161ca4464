package io.vmsim.core.alloc;

/**
 * Page mobility types that the buddy allocator keeps on separate free lists to limit
 * fragmentation ({@code enum migratetype} in {@code include/linux/mmzone.h}). The numbering is
 * Linux's, so that {@link Gfp#gfpMigratetype} is a shift. MIGRATE_HIGHATOMIC, CMA and ISOLATE
 * are not modelled.
 */
public final class MigrateType {
    private MigrateType() {
    }

    /** Kernel allocations that cannot move. */
    public static final int MIGRATE_UNMOVABLE = 0;
    /** User pages and page cache: can be migrated or reclaimed. */
    public static final int MIGRATE_MOVABLE = 1;
    /** Slab-like kernel memory that shrinkers can free. */
    public static final int MIGRATE_RECLAIMABLE = 2;
    /** Number of types with their own free and per-CPU lists ({@code MIGRATE_PCPTYPES}). */
    public static final int MIGRATE_PCPTYPES = 3;
    /** Number of types modelled. */
    public static final int MIGRATE_TYPES = MIGRATE_PCPTYPES;

    private static final String[] NAMES = {"Unmovable", "Movable", "Reclaimable"};

    /**
     * The name Linux prints in {@code /proc/pagetypeinfo} ({@code migratetype_names} in
     * {@code mm/page_alloc.c}).
     */
    public static String name(int migratetype) {
        return NAMES[migratetype];
    }

    /**
     * Where to look when a type's lists are empty, in order ({@code fallbacks[]} in
     * {@code mm/page_alloc.c}).
     */
    static final int[][] FALLBACKS = {
            {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},    // UNMOVABLE
            {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},  // MOVABLE
            {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},      // RECLAIMABLE
    };
}
