package io.vmsim.api.policy;

/**
 * Events a policy is responsible for, counted under their {@code /proc/vmstat} names. In Linux
 * these are counted by the code that makes the decision (activation, the working-set test); in
 * vmsim that code is the policy's, so the policy reports them here and the core adds them to
 * the run's counters.
 */
public interface PolicyEvents {
    /** Discards every event (for contexts outside a simulation). */
    PolicyEvents NONE = (event, n) -> { };

    /** The events, with their {@code /proc/vmstat} names. */
    enum Event {
        /** A page moved to the active list ({@code pgactivate}). */
        PGACTIVATE("pgactivate"),
        /** A page moved from the active to the inactive list ({@code pgdeactivate}). */
        PGDEACTIVATE("pgdeactivate"),
        /** A refaulting anonymous page was activated by the working-set test ({@code workingset_activate_anon}). */
        WORKINGSET_ACTIVATE_ANON("workingset_activate_anon"),
        /** A refaulting file page was activated by the working-set test ({@code workingset_activate_file}). */
        WORKINGSET_ACTIVATE_FILE("workingset_activate_file"),
        /** A refaulting anonymous page had been part of the working set ({@code workingset_restore_anon}). */
        WORKINGSET_RESTORE_ANON("workingset_restore_anon"),
        /** A refaulting file page had been part of the working set ({@code workingset_restore_file}). */
        WORKINGSET_RESTORE_FILE("workingset_restore_file");

        private final String linuxName;

        Event(String linuxName) {
            this.linuxName = linuxName;
        }

        /** The counter's name in {@code /proc/vmstat}. */
        public String linuxName() {
            return linuxName;
        }
    }

    /** Counts {@code n} occurrences of {@code event}. */
    void count(Event event, long n);

    /** Counts one occurrence of {@code event}. */
    default void count(Event event) {
        count(event, 1);
    }
}
