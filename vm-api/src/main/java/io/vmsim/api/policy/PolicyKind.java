package io.vmsim.api.policy;

/** The five kinds of policy, with the configuration name that selects one ({@code policy.<kind>}). */
public enum PolicyKind {
    /** Page reclaim: which pages to evict ({@link ReclaimPolicy}). */
    RECLAIM("reclaim", ReclaimPolicy.class),
    /** Transparent huge pages: fault-time order, defrag effort, collapse ({@link HugePagePolicy}). */
    THP("thp", HugePagePolicy.class),
    /** NUMA placement and balancing ({@link NumaPolicy}). */
    NUMA("numa", NumaPolicy.class),
    /** Page deduplication, as KSM ({@link DedupPolicy}). */
    KSM("ksm", DedupPolicy.class),
    /** Live migration: the order pages travel in precopy and postcopy ({@link MigrationPolicy}). */
    MIGRATION("migration", MigrationPolicy.class);

    private final String configName;
    private final Class<? extends Policy> type;

    PolicyKind(String configName, Class<? extends Policy> type) {
        this.configName = configName;
        this.type = type;
    }

    /** The lower-case name used in configuration keys: {@code policy.reclaim}, {@code policy.thp}, ... */
    public String configName() {
        return configName;
    }

    /** The interface a policy of this kind implements. */
    public Class<? extends Policy> policyType() {
        return type;
    }

    /** Looks a kind up by its configuration name. */
    public static PolicyKind byConfigName(String name) {
        for (PolicyKind k : values()) {
            if (k.configName.equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("policy kind '" + name + "': expected reclaim, thp, numa, ksm or migration");
    }
}
