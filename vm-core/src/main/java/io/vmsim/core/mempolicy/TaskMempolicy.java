package io.vmsim.core.mempolicy;

/**
 * A task's memory policy and interleave state ({@code task_struct.mempolicy}, {@code il_prev},
 * {@code il_weight}).
 */
public final class TaskMempolicy {
    /** {@code MAX_NUMNODES} of a kernel built with 64 nodes. */
    public static final int MAX_NUMNODES = 64;

    Mempolicy policy;
    /** The node of the last interleaved allocation ({@code il_prev}). */
    int ilPrev = MAX_NUMNODES - 1;
    /** Allocations left on {@link #ilPrev} before weighted interleave moves on ({@code il_weight}). */
    int ilWeight;

    /** The task's policy, or null for the default (local allocation). */
    public Mempolicy policy() {
        return policy;
    }

    /**
     * {@code do_set_mempolicy()}: installs {@code p}; an interleaving policy restarts at the first
     * node of its mask ({@code il_prev = MAX_NUMNODES - 1}, {@code il_weight = 0}).
     */
    public void set(Mempolicy p) {
        policy = p;
        if (p != null && (p.mode() == Mempolicy.MPOL_INTERLEAVE || p.mode() == Mempolicy.MPOL_WEIGHTED_INTERLEAVE)) {
            ilPrev = MAX_NUMNODES - 1;
            ilWeight = 0;
        }
    }

    /** fork(): {@code dup_task_struct()} copies il_prev and il_weight, {@code mpol_dup()} the policy (immutable here, so shared). */
    public void copyFrom(TaskMempolicy parent) {
        policy = parent.policy;
        ilPrev = parent.ilPrev;
        ilWeight = parent.ilWeight;
    }

    public int ilPrev() {
        return ilPrev;
    }
}
