package io.vmsim.core.time;

import io.vmsim.api.machine.Clock;

/**
 * The deterministic simulated clock. Time advances only when the cost model charges an
 * action; it is kept in picoseconds so sub-nanosecond costs (a TLB hit) add up exactly.
 */
public final class SimClock implements Clock {
    private long ps;

    /** Advances time by {@code picos} picoseconds. */
    public void advance(long picos) {
        ps += picos;
    }

    /** Takes back time a background daemon's step advanced (see {@link Daemons}). */
    void rewind(long picos) {
        ps -= picos;
    }

    /**
     * Takes back time that several CPUs spent at once: a parallel phase charges each of its
     * threads' references to the clock in turn, then keeps only the longest of each round.
     */
    public void overlap(long picos) {
        ps -= picos;
    }

    /** Simulated picoseconds since the start. */
    public long picoTime() {
        return ps;
    }

    @Override
    public long nanoTime() {
        return ps / 1000;
    }
}
